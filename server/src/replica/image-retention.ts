/**
 * @module
 * Raw images are kept only as long as configured: a finished batch gets `images_expire_at`
 * (finish time + `FACEDRIFT_IMAGE_RETENTION_HOURS`, default 0), and every replica sweeps the
 * expired ones: objects deleted, keys cleared, the batch stamped `images_deleted_at`.
 */
import { and, eq, isNotNull, isNull, lte } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import { imageBatches } from "../db/schema/image-batch.ts";
import { imageFiles } from "../db/schema/image-file.ts";
import type { ImageStore } from "../images/store.ts";

/** Deletes the images of batches past their expiry; returns how many objects were deleted. */
export async function deleteExpiredImages(
  database: Database,
  store: ImageStore,
  now = new Date(),
): Promise<number> {
  const expired = await database.db
    .select({ id: imageBatches.id })
    .from(imageBatches)
    .where(and(isNull(imageBatches.imagesDeletedAt), lte(imageBatches.imagesExpireAt, now)))
    .limit(100);
  let deleted = 0;
  for (const { id } of expired) {
    const files = await database.db
      .select({ id: imageFiles.id, key: imageFiles.objectKey })
      .from(imageFiles)
      .where(and(eq(imageFiles.batchId, id), isNotNull(imageFiles.objectKey)));
    for (const file of files) {
      // Object first, then its key: a crash in between leaves a key whose delete is repeated.
      if (file.key) await store.delete(file.key);
      await database.db.update(imageFiles).set({ objectKey: null }).where(eq(imageFiles.id, file.id));
      deleted++;
    }
    await database.db.update(imageBatches).set({ imagesDeletedAt: now }).where(eq(imageBatches.id, id));
  }
  return deleted;
}
