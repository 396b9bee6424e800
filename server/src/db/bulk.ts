/**
 * The raw, driver-level transaction the ingestion hot path runs in: positional SQL and, where the
 * driver can, binary COPY. drizzle builds every other query; here the statement shapes are fixed
 * and the cost of building them per request would show.
 */
export interface BulkTx {
  /** Runs `text` with `$n` parameters and returns the rows (cast bigint to text in SQL). */
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
  /**
   * Loads a binary COPY stream (`COPY … FROM … WITH (FORMAT binary)`) into `table`. Undefined
   * when the driver cannot: postgres.js over the PGlite socket server does not speak CopyIn.
   */
  copyBinary?: (table: string, columns: readonly string[], data: Uint8Array) => Promise<void>;
}

export type BulkTransaction = <T>(work: (tx: BulkTx) => Promise<T>) => Promise<T>;
