/**
 * @module
 * Where uploaded images wait for a replica. Keys look like `<tenant>/<batch>/<position>`. Unlike
 * the archive store (`retention/archive-store.ts`), images are deleted again — once their job is
 * done and the retention has passed — so this contract adds `delete`.
 */
export interface ImageStore {
  /** Writes the whole object; a reader never sees a partial one. */
  put(key: string, bytes: Uint8Array, mediaType: string): Promise<void>;
  get(key: string): Promise<Uint8Array>;
  /** Deletes the object; deleting one that is not there is not an error. */
  delete(key: string): Promise<void>;
}

export const imageKey = (tenantId: number, batchId: number, position: number): string =>
  `${tenantId}/${batchId}/${position}`;
