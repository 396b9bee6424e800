CREATE TABLE "incidents" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "incidents_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" bigint NOT NULL,
	"stream_id" bigint NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"severity" text NOT NULL,
	"notified_severity" text,
	"category" text,
	"detectors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"finding_count" integer DEFAULT 0 NOT NULL,
	"impact" jsonb,
	"window_from" timestamp with time zone NOT NULL,
	"window_to" timestamp with time zone NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_finding_at" timestamp with time zone DEFAULT now() NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" text,
	"resolved_at" timestamp with time zone,
	"resolved_by" text,
	"history" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "incidents_status_check" CHECK ("incidents"."status" in ('open','acknowledged','resolved')),
	CONSTRAINT "incidents_severity_check" CHECK ("incidents"."severity" in ('info','warning','critical')),
	CONSTRAINT "incidents_notified_severity_check" CHECK ("incidents"."notified_severity" in ('info','warning','critical')),
	CONSTRAINT "incidents_category_check" CHECK ("incidents"."category" in ('population','input'))
);
--> statement-breakpoint
ALTER TABLE "alert_deliveries" ALTER COLUMN "alert_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD COLUMN "incident_id" bigint;--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD COLUMN "transition" text;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "incident_id" bigint;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "category" text;--> statement-breakpoint
ALTER TABLE "reference_sets" ADD COLUMN "activated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_stream_id_streams_id_fk" FOREIGN KEY ("stream_id") REFERENCES "public"."streams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_one_active_idx" ON "incidents" USING btree ("stream_id") WHERE "incidents"."status" <> 'resolved';--> statement-breakpoint
CREATE INDEX "incidents_tenant_idx" ON "incidents" USING btree ("tenant_id","id");--> statement-breakpoint
CREATE INDEX "incidents_active_idx" ON "incidents" USING btree ("last_finding_at") WHERE "incidents"."status" <> 'resolved';--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alert_deliveries_incident_idx" ON "alert_deliveries" USING btree ("incident_id","id");--> statement-breakpoint
CREATE INDEX "alerts_incident_idx" ON "alerts" USING btree ("incident_id","id");--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_transition_check" CHECK ("alert_deliveries"."transition" in ('opened','escalated','resolved'));--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_category_check" CHECK ("alerts"."category" in ('population','input'));--> statement-breakpoint
-- A reference active before this migration counts as activated when it was created.
UPDATE "reference_sets" SET "activated_at" = "created_at" WHERE "active";
