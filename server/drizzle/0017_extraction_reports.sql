-- Extraction reports (issue 12): what an API client's pipeline tried and how often it found no face,
-- per batch, so a change that leaves no embeddings is still seen (server/src/db/schema/extraction-report.ts);
-- the streaming worker's cursor keeps its place among them and the faces-lost detector's state.
CREATE TABLE "extraction_reports" (
	"stream_id" bigint NOT NULL,
	"seq" bigint NOT NULL,
	"client_id" text NOT NULL,
	"attempted" integer NOT NULL,
	"no_face" integer NOT NULL,
	"items" integer NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "extraction_reports_stream_id_seq_pk" PRIMARY KEY("stream_id","seq"),
	CONSTRAINT "extraction_reports_client_id_unique" UNIQUE("stream_id","client_id"),
	CONSTRAINT "extraction_reports_counts_check" CHECK ("extraction_reports"."no_face" between 0 and "extraction_reports"."attempted")
);
--> statement-breakpoint
ALTER TABLE "stream_cursors" ADD COLUMN "extraction_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "stream_cursors" ADD COLUMN "extraction_state" jsonb;--> statement-breakpoint
ALTER TABLE "streams" ADD COLUMN "last_extraction_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "extraction_reports" ADD CONSTRAINT "extraction_reports_stream_id_streams_id_fk" FOREIGN KEY ("stream_id") REFERENCES "public"."streams"("id") ON DELETE cascade ON UPDATE no action;