-- Archives written before encryption keep their plaintext key `<stream-id>/<day>.parquet`.
ALTER TABLE "embedding_archives" ADD COLUMN "object_key" text;--> statement-breakpoint
UPDATE "embedding_archives" SET "object_key" = "stream_id"::text || '/' || "day"::text || '.parquet';--> statement-breakpoint
ALTER TABLE "embedding_archives" ALTER COLUMN "object_key" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "embedding_archives" ADD COLUMN "key_id" text;--> statement-breakpoint
ALTER TABLE "embedding_archives" ADD COLUMN "first_seq" bigint;--> statement-breakpoint
ALTER TABLE "embedding_archives" ADD COLUMN "last_seq" bigint;--> statement-breakpoint
ALTER TABLE "embedding_archives" ADD COLUMN "erased_rows" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "embedding_archives" ADD COLUMN "restored_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "embedding_archives" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "reference_sets" ADD COLUMN "erasure" jsonb;
