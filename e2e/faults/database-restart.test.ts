/**
 * Fault: the database stops and starts again during ingestion, three ways: the real PostgreSQL
 * with pgvector stopped with a fast shutdown (sessions terminated, transactions rolled back) and
 * with an immediate one (no checkpoint; crash recovery on start), each on a throwaway cluster of
 * the test's own (`server/src/db/testing/own-postgres.ts`: initdb + pg_ctl on a free port — the
 * shared server on 5432 is never touched); and PGlite served over the wire from its own process
 * (`pglite-socket`), SIGKILLed and started on the same data directory.
 *
 * Two kinds of client send throughout: API clients that retry a batch under the same ids on 503,
 * and the capture station's real IndexedDB outbox and uploader running in Chromium (bundled from
 * `web/src/routes/capture/` into a page on the API's origin; the camera and face pipeline are left
 * out, they have their own journey). While the database is away the server answers 503
 * `unavailable` with `Retry-After` and `/readyz` is not ready; afterwards everything arrives
 * exactly once, the browser's items by the uploader's own backoff timer. On PostgreSQL the tables
 * are also read directly: rows, distinct ids and idempotency-ledger ids agree, so no transaction
 * was half-written.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { type Browser, chromium, type Page } from "playwright-core";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import {
  type OwnPostgres,
  ownPostgresUnavailableBecause,
  startOwnPostgres,
} from "../../server/src/db/testing/own-postgres.ts";
import { browserConfig } from "../support/browser-config.ts";
import { hasChromium } from "../support/chromium.ts";
import { pgliteSocketServer } from "../support/pglite-socket-server.ts";
import { freePort } from "../support/ports.ts";
import { type ServeProcess, serveProcess } from "../support/serve-process.ts";
import { batchBody, exactlyOnceProblems, storedIds } from "./support/ingest-ledger.ts";
import type { Station } from "./support/outbox-station.ts";

/** A database server the test can take away and bring back. */
interface RestartableDatabase {
  readonly databaseUrl: string;
  /** Direct SQL access for the final check (none on pglite-socket: one session, the server's). */
  readonly sqlUrl: string | null;
  down(): Promise<void>;
  up(): Promise<void>;
  output(): string;
  close(): Promise<void>;
}

type Kind = "postgres-fast" | "postgres-immediate" | "pglite-socket";

async function openDatabase(kind: Kind): Promise<RestartableDatabase> {
  if (kind === "pglite-socket") {
    const dir = mkdtempSync(join(tmpdir(), "facedrift-fault-db-"));
    const database = pgliteSocketServer({ dataDir: dir, port: await freePort() });
    await database.start();
    return {
      databaseUrl: database.databaseUrl,
      sqlUrl: null,
      down: () => database.kill(),
      up: () => database.start(),
      output: () => database.output(),
      close: async () => {
        await database.kill();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const cluster: OwnPostgres = await startOwnPostgres();
  const mode = kind === "postgres-fast" ? "fast" : "immediate";
  return {
    databaseUrl: cluster.url,
    sqlUrl: cluster.url,
    down: () => cluster.stop(mode),
    up: () => cluster.start(),
    output: () => cluster.log(),
    close: () => cluster.destroy(),
  };
}

// Without a cluster of its own (no server binaries or no pgvector) the real-PostgreSQL cases skip,
// except under CI, which installs both (.ci/run) and must not hide the production path.
const ownPostgres = ownPostgresUnavailableBecause();
if (ownPostgres && process.env.CI)
  throw new Error(`database-restart on PostgreSQL cannot run under CI: ${ownPostgres}`);
const KINDS: Kind[] = [
  ...(ownPostgres ? [] : (["postgres-fast", "postgres-immediate"] as const)),
  "pglite-socket",
];

const API_STREAM = "restart-api";
const BROWSER_STREAM = "restart-browser";
const BATCH = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check`; a failed fetch counts as "not yet" (a keep-alive socket closed under it). */
async function until(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(200);
  }
}

/** The station's modules as one browser script. */
async function stationScript(): Promise<string> {
  const result = await build({
    entryPoints: [join(import.meta.dirname, "support", "outbox-station.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
  });
  return result.outputFiles[0]?.text ?? "";
}

describe.skipIf(!hasChromium()).each(KINDS)("database restart during ingestion (%s)", (kind) => {
  let database: RestartableDatabase;
  let server: ServeProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    database = await openDatabase(kind);
    server = serveProcess({
      port: await freePort(),
      adminKey: "fd_fault_db_admin_key_3e7b1f9c5a28d6",
      databaseUrl: database.databaseUrl,
      args: ["--no-scheduler"],
    });
    await server.start();
    browser = await chromium.launch({
      executablePath: browserConfig.executablePath,
      args: browserConfig.args,
    });
    page = await browser.newPage();
    const script = await stationScript();
    // The page is served on the API's own origin, as the server serves the capture app.
    await page.route(`${server.url}/station`, (route) =>
      route.fulfill({
        contentType: "text/html",
        body: `<!doctype html><script type="module">${script}</script>`,
      }),
    );
  });

  afterAll(async () => {
    await browser?.close();
    await server?.kill();
    await database?.close();
  });

  it("answers 503 while it is away, and every client's data arrives exactly once after", async () => {
    onTestFailed(() => {
      console.error(`server ${server.running() ? "running" : "exited"}:\n${server.output().slice(-4000)}`);
      console.error(`database:\n${database.output().slice(-2000)}`);
      console.error(`station: ${JSON.stringify(lastStatus)}`);
    });
    let lastStatus: unknown = null;
    const created = await server.api("/v1/api-keys", {
      method: "POST",
      body: JSON.stringify({ name: "station", scopes: ["ingest"] }),
    });
    expect(created.status).toBe(201);
    const ingestKey = ((await created.json()) as { secret: string }).secret;

    await page.goto(`${server.url}/station`);
    await page.waitForFunction(() => "openStation" in globalThis);
    await page.evaluate(async (key) => {
      const g = globalThis as unknown as { station: Station; openStation(key: string): Promise<Station> };
      g.station = await g.openStation(key);
    }, ingestKey);
    const browserIds = Array.from({ length: 60 }, (_, i) => `b${i}`);
    const enqueue = (ids: string[]) =>
      page.evaluate(
        ([stream, list]) => (globalThis as unknown as { station: Station }).station.enqueue(stream, list),
        [BROWSER_STREAM, ids] as const,
      );
    const browserStatus = () =>
      page.evaluate(() => (globalThis as unknown as { station: Station }).station.status());

    // API clients: each batch is retried under the same ids until it is acknowledged.
    const requests = new Map<number, { size: number; acknowledged: boolean }>();
    const unexpected: string[] = [];
    let networkErrors = 0;
    let unavailable = 0;
    let acked = 0;
    let next = 0;
    let stopping = false;
    const client = async () => {
      while (!stopping) {
        const request = next++;
        requests.set(request, { size: BATCH, acknowledged: false });
        for (;;) {
          const response = await server
            .api(`/v1/streams/${API_STREAM}/embeddings`, { method: "POST", body: batchBody(request, BATCH) })
            .catch((error: unknown) => error as Error);
          if (response instanceof Error) {
            // Node's keep-alive timeout can close a pooled socket as a request goes out; the
            // client resends under the same ids, as it would after any network error.
            networkErrors++;
          } else if (response.ok) {
            await response.json();
            requests.set(request, { size: BATCH, acknowledged: true });
            acked++;
            break;
          } else {
            const body = (await response.json()) as { error: { code: string } };
            if (
              response.status === 503 &&
              body.error.code === "unavailable" &&
              response.headers.get("retry-after")
            )
              unavailable++;
            else unexpected.push(`HTTP ${response.status} ${JSON.stringify(body)}`);
          }
          // A real client waits Retry-After (5 s); a shorter wait keeps the test short.
          await sleep(300);
        }
      }
    };
    const clients = Promise.all([client(), client()]);

    await enqueue(browserIds.slice(0, 20));
    await until(
      "traffic before the fault",
      60_000,
      async () => acked >= 10 && (await browserStatus()).sent >= 20,
    );

    await database.down();
    await until(
      "/readyz to report the outage",
      30_000,
      async () => (await fetch(`${server.url}/readyz`)).status === 503,
    );
    const notReady = await fetch(`${server.url}/readyz`).catch(() => fetch(`${server.url}/readyz`));
    expect(notReady.headers.get("retry-after")).toBe("5");
    await enqueue(browserIds.slice(20, 40));
    await until(
      "the clients to meet 503s",
      30_000,
      async () => unavailable >= 4 && (await browserStatus()).failures.length >= 2,
    );
    const ackedDuringOutage = acked;
    const browserDuringOutage = await browserStatus();
    expect(browserDuringOutage.lastError).toMatch(/^HTTP 503/);
    expect(browserDuringOutage.sent).toBe(20);

    await database.up();
    await until("/readyz to recover", 60_000, async () => (await fetch(`${server.url}/readyz`)).ok);
    await enqueue(browserIds.slice(40));
    await until("the API clients to resume", 60_000, async () => acked >= ackedDuringOutage + 10);
    stopping = true;
    await clients;
    // No retryNow(): the outbox drains by its own backoff timer.
    await until("the outbox to drain", 120_000, async () => {
      const status = await browserStatus();
      lastStatus = status;
      return status.queued === 0 && status.sent === browserIds.length;
    });

    expect(unexpected).toEqual([]);
    // The server itself never went down, so network errors are at most the rare keep-alive race.
    expect(server.running()).toBe(true);
    expect(networkErrors).toBeLessThan(3);
    const apiStored = await storedIds(server, API_STREAM);
    expect(exactlyOnceProblems(apiStored, requests)).toEqual([]);
    expect(apiStored.length).toBe(requests.size * BATCH);
    const browserStored = await storedIds(server, BROWSER_STREAM);
    expect(browserStored.sort()).toEqual([...browserIds].sort());
    const final = await browserStatus();
    expect(final.failures.every((message) => message.startsWith("HTTP 503"))).toBe(true);

    if (database.sqlUrl) {
      // Straight from the tables: one row per id, and the idempotency ledger holds exactly those ids.
      const sql = postgres(database.sqlUrl, { max: 1, onnotice: () => {} });
      try {
        const counts = await sql<{ name: string; rows: number; ids: number; ledger: number }[]>`
          SELECT s.name,
                 (SELECT count(*)::int FROM embeddings e WHERE e.stream_id = s.id) AS rows,
                 (SELECT count(DISTINCT client_id)::int FROM embeddings e WHERE e.stream_id = s.id) AS ids,
                 (SELECT count(*)::int FROM embedding_ids l WHERE l.stream_id = s.id) AS ledger
          FROM streams s ORDER BY s.name`;
        expect(counts).toEqual([
          { name: API_STREAM, rows: apiStored.length, ids: apiStored.length, ledger: apiStored.length },
          {
            name: BROWSER_STREAM,
            rows: browserIds.length,
            ids: browserIds.length,
            ledger: browserIds.length,
          },
        ]);
      } finally {
        await sql.end({ timeout: 1 });
      }
    }
  }, 300_000);
});
