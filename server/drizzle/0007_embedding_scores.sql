CREATE TABLE "embedding_scores" (
	"reference_set_id" bigint NOT NULL,
	"seq" bigint NOT NULL,
	"stream_id" bigint NOT NULL,
	"scores" double precision[] NOT NULL,
	CONSTRAINT "embedding_scores_reference_set_id_seq_pk" PRIMARY KEY("reference_set_id","seq")
);
--> statement-breakpoint
ALTER TABLE "embedding_scores" ADD CONSTRAINT "embedding_scores_reference_set_id_reference_sets_id_fk" FOREIGN KEY ("reference_set_id") REFERENCES "public"."reference_sets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "embedding_scores" ADD CONSTRAINT "embedding_scores_stream_id_streams_id_fk" FOREIGN KEY ("stream_id") REFERENCES "public"."streams"("id") ON DELETE cascade ON UPDATE no action;