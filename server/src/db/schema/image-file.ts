import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { imageBatches } from "./image-batch.ts";
import { tenants } from "./tenant.ts";

/**
 * What became of one uploaded file: `pending` until a replica handles it, then `embedded`, or a
 * reason it was not (`no_face`, `several_faces`, `failed` with the browser's error).
 */
export const IMAGE_FILE_STATUSES = ["pending", "embedded", "no_face", "several_faces", "failed"] as const;
export type ImageFileStatus = (typeof IMAGE_FILE_STATUSES)[number];

export const imageFiles = pgTable(
  "image_files",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: bigint("tenant_id", { mode: "number" })
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    batchId: bigint("batch_id", { mode: "number" })
      .notNull()
      .references(() => imageBatches.id, { onDelete: "cascade" }),
    /** Order in the upload, from 0. */
    position: integer("position").notNull(),
    filename: text("filename").notNull(),
    mediaType: text("media_type").notNull(),
    bytes: integer("bytes").notNull(),
    sha256: text("sha256").notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    /** Key in the image store; null once the image has been deleted. */
    objectKey: text("object_key"),
    status: text("status").$type<ImageFileStatus>().notNull().default("pending"),
    /** Why no embedding was stored (or, with several faces, that the largest was). */
    reason: text("reason"),
    /** Faces the detector found. */
    faces: integer("faces"),
    /** The ingested embedding's id (`<batch id>:<sha256>`), when one was stored. */
    embeddingId: text("embedding_id"),
    details: jsonb("details").$type<Record<string, unknown>>(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
  },
  (t) => [
    unique("image_files_batch_position_unique").on(t.batchId, t.position),
    index("image_files_tenant_idx").on(t.tenantId),
    check(
      "image_files_status_check",
      sql`${t.status} in ('pending','embedded','no_face','several_faces','failed')`,
    ),
  ],
);
