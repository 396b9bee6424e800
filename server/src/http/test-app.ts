import { type Config, DEFAULT_CONFIG } from "../config/config.ts";
import type { Database } from "../db/database.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { openPglite } from "../db/pglite.ts";
import type { ApiKeyScope } from "../db/schema/api-key.ts";
import { openPgliteOverWire } from "../db/testing/pglite-wire.ts";
import { openPostgresTestDatabase } from "../db/testing/postgres-database.ts";
import { type IdKind, publicIdsOf } from "../ids/public-ids.ts";
import { createMetrics } from "../metrics/metrics.ts";
import { createApiKey } from "../services/api-keys/create.ts";
import { ensureTenant } from "../services/tenants/default.ts";
import { createApp } from "./app.ts";

/** Where a test app's database lives: PGlite in process (default) or over the wire, or PostgreSQL. */
export type TestAppDatabase = "in-process" | "wire" | "postgres";

/**
 * PGlite in process, PGlite served over the Postgres wire protocol (`db/testing/pglite-wire.ts`),
 * or a fresh database on the real PostgreSQL with pgvector (`db/testing/postgres-database.ts`).
 */
async function openTestDatabase(
  over: TestAppDatabase,
): Promise<{ database: Database; close(): Promise<void> }> {
  if (over === "wire") return openPgliteOverWire();
  if (over === "postgres") return openPostgresTestDatabase("app");
  const embedded = await openPglite();
  return { database: embedded, close: () => embedded.close() };
}

/**
 * The `env` `@hono/node-server` passes, reduced to the TCP peer: `app.request(path, init,
 * fromPeer("10.0.0.1"))` is a request that arrived from that address.
 */
export const fromPeer = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

/** Test support (not a test): an app over a fresh in-memory PGlite, and a way to mint keys. */
export async function createTestApp(
  overrides: Partial<Config> = {},
  { over = "in-process" }: { over?: TestAppDatabase } = {},
) {
  const opened = await openTestDatabase(over);
  const database = opened.database;
  await migrateDatabase(database);
  const config: Config = { ...DEFAULT_CONFIG, ...overrides };
  const metrics = createMetrics({ db: database.db });
  const app = createApp({ database, config, metrics });

  async function keyFor(tenant: string, scopes: ApiKeyScope[]): Promise<string> {
    const tenantId = await ensureTenant(database.db, tenant);
    return (await createApiKey(database.db, { tenantId, name: `${tenant} ${scopes.join("+")}`, scopes }))
      .secret;
  }

  async function call(
    method: string,
    path: string,
    options: { key?: string; json?: unknown; body?: string; contentType?: string } = {},
    // biome-ignore lint/suspicious/noExplicitAny: tests inspect response bodies ad hoc
  ): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = {};
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    let body: string | undefined = options.body;
    if (options.json !== undefined) body = JSON.stringify(options.json);
    if (body !== undefined) headers["content-type"] = options.contentType ?? "application/json";
    const res = await app.request(path, { method, headers, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  /** The public id the API shows for row `id` of `kind` (`ids/public-ids.ts`). */
  const publicId = async (kind: IdKind, id: number) => (await publicIdsOf(database.db)).encode(kind, id);
  /** The row id behind a public id the API gave. */
  const rowId = async (kind: IdKind, id: number) => (await publicIdsOf(database.db)).decode(kind, id);

  let closed = false;
  const close = async () => {
    if (!closed) await opened.close();
    closed = true;
  };
  return { app, database, db: database.db, config, metrics, keyFor, call, publicId, rowId, close };
}
