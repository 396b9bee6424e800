/**
 * Where archived days go. Keys look like `<stream-id>/<YYYY-MM-DD>.parquet`; each store maps
 * them to a location (`file:///…`, `s3://bucket/prefix/…`) recorded in `embedding_archives`.
 * `get` exists so the archiver can verify what the store really holds before any row is dropped.
 */
export interface ArchiveStore {
  location(key: string): string;
  /** Writes the whole object; a reader never sees a partial one. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array>;
}
