-- Model transition (issue 16 item 3): a stream's model tracks; see server/src/db/schema/stream-model.ts.
CREATE TABLE "stream_models" (
	"stream_id" bigint PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"stream_name" text NOT NULL,
	"role" text NOT NULL,
	"sampling_share" double precision DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"promoted_at" timestamp with time zone,
	"retired_at" timestamp with time zone,
	CONSTRAINT "stream_models_role_check" CHECK ("stream_models"."role" in ('current','candidate','retired')),
	CONSTRAINT "stream_models_share_check" CHECK ("stream_models"."sampling_share" > 0 and "stream_models"."sampling_share" <= 1)
);
--> statement-breakpoint
ALTER TABLE "stream_models" ADD CONSTRAINT "stream_models_stream_id_streams_id_fk" FOREIGN KEY ("stream_id") REFERENCES "public"."streams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream_models" ADD CONSTRAINT "stream_models_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "stream_models_one_current" ON "stream_models" USING btree ("tenant_id","stream_name") WHERE "stream_models"."role" = 'current';--> statement-breakpoint
CREATE UNIQUE INDEX "stream_models_one_candidate" ON "stream_models" USING btree ("tenant_id","stream_name") WHERE "stream_models"."role" = 'candidate';--> statement-breakpoint
CREATE INDEX "stream_models_name_idx" ON "stream_models" USING btree ("tenant_id","stream_name");