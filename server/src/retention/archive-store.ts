/**
 * Where archived days go. Keys look like `<stream-id>/<YYYY-MM-DD>.<nonce>.parquet.enc` (sealed,
 * `envelope.ts`) or `<stream-id>/<YYYY-MM-DD>.parquet` (plaintext, before encryption); each store
 * maps them to a location (`file:///…`, `s3://bucket/prefix/…`) recorded in `embedding_archives`.
 * `get` exists so the archiver can verify what the store really holds before any row is dropped;
 * `delete` so a rewrite (erasure, key rotation) can remove the object it replaced.
 */
export interface ArchiveStore {
  location(key: string): string;
  /** Writes the whole object; a reader never sees a partial one. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array>;
  /** Removes the object; a missing one is not an error. */
  delete(key: string): Promise<void>;
}
