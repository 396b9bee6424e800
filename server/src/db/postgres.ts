import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { BulkTx } from "./bulk.ts";
import type { Database, Db } from "./database.ts";
import * as schema from "./schema/index.ts";

export interface PostgresOptions {
  /** Pool size; one request holds one connection for its transaction. */
  max?: number;
}

/** Opens a PostgreSQL server (which must have pgvector) through postgres.js. */
export function openPostgres(
  url: string,
  options: PostgresOptions = {},
): Database & { client: postgres.Sql } {
  // onnotice: silence "relation already exists, skipping" from CREATE … IF NOT EXISTS.
  const client = postgres(url, { max: options.max ?? 10, onnotice: () => {} });
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
