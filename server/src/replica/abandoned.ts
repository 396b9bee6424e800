import { and, eq, sql } from "drizzle-orm";
import type { Database, Executor } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { imageFiles } from "../db/schema/image-file.ts";
import { IMAGE_BATCH_JOB } from "../images/upload.ts";

/**
 * A replica that dies on every attempt (a browser crash on one image, say) leaves its job
 * `running` with its attempts used up: the queue will not hand it out again. Such batches are
 * failed here, with the reason, and their images set to expire like any finished batch's.
 * Returns the ids of the batches failed.
 */
export async function failAbandonedBatches(database: Database, retentionHours: number): Promise<number[]> {
  const rows = await queryRows<{ id: string }>(
    database.db,
    sql`WITH abandoned AS (
          UPDATE jobs SET status = 'failed', lease_owner = NULL, lease_until = NULL, updated_at = now(),
                 last_error = 'the replica stopped on every attempt'
          WHERE kind = ${IMAGE_BATCH_JOB} AND status = 'running' AND lease_until < now()
            AND attempts >= max_attempts
          RETURNING id
        )
        UPDATE image_batches SET status = 'failed', finished_at = now(),
               error = 'the replica stopped on every attempt (crashed or was killed)',
               images_expire_at = now() + ${retentionHours} * interval '1 hour'
        WHERE job_id IN (SELECT id FROM abandoned)
        RETURNING id::text AS id`,
  );
  for (const row of rows) {
    await failPendingFiles(
      database.db,
      Number(row.id),
      "the replica stopped on every attempt (crashed or was killed)",
    );
  }
  return rows.map((row) => Number(row.id));
}

/** The files a failed job never reached are failed too, with its reason: none stays `pending`. */
export async function failPendingFiles(db: Executor, batchId: number, reason: string): Promise<void> {
  await db
    .update(imageFiles)
    .set({ status: "failed", reason: `not processed: ${reason}` })
    .where(and(eq(imageFiles.batchId, batchId), eq(imageFiles.status, "pending")));
}
