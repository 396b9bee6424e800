-- Hand-written: drizzle-kit cannot express PARTITION BY (see server/src/db/schema/embedding.ts).
--
-- Partitioned by receive time, one partition per UTC day, named embeddings_pYYYYMMDD and
-- created ahead of time by the server (server/src/db/partitions.ts). The default partition only
-- catches rows whose day was not created in time (e.g. a clock jump); it should stay empty.
--
-- seq uses an explicit sequence rather than an identity column, because identity columns on
-- partitioned tables need PostgreSQL 17 and Facedrift supports older servers.
CREATE SEQUENCE "embeddings_seq" AS bigint;
--> statement-breakpoint
CREATE TABLE "embeddings" (
	"seq" bigint DEFAULT nextval('embeddings_seq') NOT NULL,
	"stream_id" bigint NOT NULL,
	"client_id" text NOT NULL,
	"event_time" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"model_id" text NOT NULL,
	"model_version" text NOT NULL,
	"dimension" integer NOT NULL,
	"embedding" vector NOT NULL,
	"source" text NOT NULL,
	"device" text,
	"metadata" jsonb,
	CONSTRAINT "embeddings_pk" PRIMARY KEY ("stream_id", "seq", "received_at"),
	CONSTRAINT "embeddings_dimension_check" CHECK (vector_dims("embedding") = "dimension"),
	CONSTRAINT "embeddings_source_check" CHECK ("source" in ('browser','replica','api'))
) PARTITION BY RANGE ("received_at");
--> statement-breakpoint
ALTER SEQUENCE "embeddings_seq" OWNED BY "embeddings"."seq";
--> statement-breakpoint
CREATE TABLE "embeddings_default" PARTITION OF "embeddings" DEFAULT;
