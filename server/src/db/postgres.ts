import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { FacedriftError } from "../errors.ts";
import type { BulkTx } from "./bulk.ts";
import type { Database, Db } from "./database.ts";
import * as schema from "./schema/index.ts";

export interface PostgresOptions {
  /** Pool size; one request holds one connection for its transaction. */
  max?: number;
  /**
   * Load ingested rows with binary COPY (default true). Printing 512 floats as text costs
   * ~0.3 ms per vector in Node, which alone would cap ingestion near 3,000 vectors/s per
   * process; binary COPY sends the float32 bytes. Turn it off for servers that do not speak the
   * CopyIn protocol, such as PGlite's socket server.
   */
  copy?: boolean;
  /**
   * How long a COPY may take before the transaction is abandoned. postgres.js (3.4) never settles
   * a COPY stream that the server rejects after the data was sent (the error arrives after the
   * stream was detached), so without a deadline such a request would hang and hold its stream
   * lock. Ingestion validates rows first, so this should only ever fire on server faults.
   */
  copyTimeoutMs?: number;
}

function withDeadline(work: Promise<void>, ms: number, table: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`COPY into ${table} did not complete within ${ms} ms (rejected by the server?)`)),
      ms,
    );
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * `DATABASE_URL` may carry two Facedrift parameters, removed before postgres.js sees the URL (it
 * would send unknown ones to the server as settings): `pool_max=N` and `binary_copy=off`. They let
 * `facedrift serve` run against a server that takes one connection and no CopyIn, such as PGlite's
 * socket server (the reliability tests' stand-in for a PostgreSQL that can be killed).
 */
export function optionsFromUrl(url: string): { url: string; options: PostgresOptions } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, options: {} };
  }
  const options: PostgresOptions = {};
  const poolMax = parsed.searchParams.get("pool_max");
  if (poolMax !== null) {
    const max = Number(poolMax);
    if (!Number.isInteger(max) || max < 1)
      throw new FacedriftError(
        "invalid_request",
        `DATABASE_URL: pool_max must be a positive integer, got "${poolMax}"`,
        { field: "DATABASE_URL" },
      );
    options.max = max;
  }
  const copy = parsed.searchParams.get("binary_copy");
  if (copy !== null) {
    if (copy !== "on" && copy !== "off")
      throw new FacedriftError(
        "invalid_request",
        `DATABASE_URL: binary_copy must be "on" or "off", got "${copy}"`,
        { field: "DATABASE_URL" },
      );
    options.copy = copy === "on";
  }
  parsed.searchParams.delete("pool_max");
  parsed.searchParams.delete("binary_copy");
  return { url: poolMax === null && copy === null ? url : parsed.toString(), options };
}

/**
 * Seconds before a pooled connection tries again after failing to connect. postgres.js's default
 * grows to 20 s, and every request waiting for that connection waits in line behind the timer, so
 * during a database restart requests would hang for minutes instead of getting a quick 503 (which
 * clients retry with their own backoff). Capped at 1 s, with jitter so a pool does not reconnect in
 * lockstep.
 */
export function reconnectDelaySeconds(failures: number): number {
  return Math.min(1, 0.05 * 2 ** failures) * (0.5 + Math.random() / 2);
}

/** Opens a PostgreSQL server (which must have pgvector) through postgres.js. */
export function openPostgres(
  databaseUrl: string,
  explicit: PostgresOptions = {},
): Database & { client: postgres.Sql } {
  const { url, options: fromUrl } = optionsFromUrl(databaseUrl);
  const options = { ...fromUrl, ...explicit };
  // onnotice: silence "relation already exists, skipping" from CREATE … IF NOT EXISTS.
  const client = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    backoff: reconnectDelaySeconds,
    // A host that drops packets fails a request in 10 s (default 30): clients retry sooner.
    connect_timeout: 10,
  });
  const db = drizzle({ client, schema }) as unknown as Db;
  return {
    driver: "postgres",
    db,
    client,
    location: redactUrl(url),
    bulkTransaction: <T>(work: (tx: BulkTx) => Promise<T>) =>
      client.begin((sql) =>
        work({
          query: async (text, params) => (await sql.unsafe(text, params as never[])) as unknown as never[],
          copyBinary:
            options.copy === false
              ? undefined
              : async (table, columns, data) => {
                  const writable = await sql
                    .unsafe(`COPY ${table} (${columns.join(", ")}) FROM STDIN WITH (FORMAT binary)`)
                    .writable();
                  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
                  await withDeadline(
                    pipeline(Readable.from([bytes]), writable),
                    options.copyTimeoutMs ?? 30_000,
                    table,
                  );
                },
        }),
      ) as Promise<T>,
    close: () => client.end({ timeout: 5 }),
  };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres";
  }
}
