import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { BulkTransaction } from "./bulk.ts";
import type * as schema from "./schema/index.ts";

export type Schema = typeof schema;
/** The drizzle handle both drivers share; services take this (or a transaction) and never a driver. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type Executor = Db | Tx;

/** One open database, embedded or remote, with the same schema and queries. */
export interface Database {
  readonly driver: "pglite" | "postgres";
  readonly db: Db;
  /** Where the data lives, for logs: a directory, "memory", or the URL without its password. */
  readonly location: string;
  /**
   * Tells the database where this process serves the API. The embedded one records it in its
   * data directory's lock, so a second process that is refused can say where to go instead.
   */
  servingAt?(url: string): void;
  /** A raw transaction for bulk writes (see `bulk.ts`). */
  readonly bulkTransaction: BulkTransaction;
  close(): Promise<void>;
}

/**
 * Runs raw SQL and returns its rows. PGlite answers `{ rows }` and postgres.js an array, and this
 * hides the difference. Raw SQL should cast what it returns to text/int/float so both drivers
 * yield the same JS types (postgres.js returns bigint as string, PGlite as number).
 */
export async function queryRows<T>(executor: Executor, query: SQL): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
