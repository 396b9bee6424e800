import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { jobs } from "./job.ts";
import { tenants } from "./tenant.ts";

export const IMAGE_BATCH_STATUSES = ["queued", "running", "succeeded", "failed"] as const;
export type ImageBatchStatus = (typeof IMAGE_BATCH_STATUSES)[number];

/**
 * One upload to `POST /v1/streams/{stream}/images`: its files (`image_files`) are embedded by a
 * replica under one job of kind `image-batch`. The stream is kept by name because ingestion
 * creates it on the first embedding, which may come long after the upload.
 */
export const imageBatches = pgTable(
  "image_batches",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: bigint("tenant_id", { mode: "number" })
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    stream: text("stream").notNull(),
    jobId: bigint("job_id", { mode: "number" }).references(() => jobs.id, { onDelete: "set null" }),
    status: text("status").$type<ImageBatchStatus>().notNull().default("queued"),
    fileCount: integer("file_count").notNull(),
    /** Why the whole batch failed (the per-file reasons live on `image_files`). */
    error: text("error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    /** When the stored images are to be deleted: finish time plus the configured retention. */
    imagesExpireAt: timestamp("images_expire_at", { withTimezone: true }),
    imagesDeletedAt: timestamp("images_deleted_at", { withTimezone: true }),
  },
  (t) => [
    index("image_batches_tenant_created_idx").on(t.tenantId, t.createdAt),
    index("image_batches_expiry_idx").on(t.imagesExpireAt).where(sql`${t.imagesDeletedAt} IS NULL`),
    check("image_batches_status_check", sql`${t.status} in ('queued','running','succeeded','failed')`),
  ],
);
