CREATE TABLE "image_batches" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "image_batches_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" bigint NOT NULL,
	"stream" text NOT NULL,
	"job_id" bigint,
	"status" text DEFAULT 'queued' NOT NULL,
	"file_count" integer NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"images_expire_at" timestamp with time zone,
	"images_deleted_at" timestamp with time zone,
	CONSTRAINT "image_batches_status_check" CHECK ("image_batches"."status" in ('queued','running','succeeded','failed'))
);
--> statement-breakpoint
CREATE TABLE "image_files" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "image_files_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" bigint NOT NULL,
	"batch_id" bigint NOT NULL,
	"position" integer NOT NULL,
	"filename" text NOT NULL,
	"media_type" text NOT NULL,
	"bytes" integer NOT NULL,
	"sha256" text NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"object_key" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"reason" text,
	"faces" integer,
	"embedding_id" text,
	"details" jsonb,
	"processed_at" timestamp with time zone,
	CONSTRAINT "image_files_batch_position_unique" UNIQUE("batch_id","position"),
	CONSTRAINT "image_files_status_check" CHECK ("image_files"."status" in ('pending','embedded','no_face','several_faces','failed'))
);
--> statement-breakpoint
ALTER TABLE "image_batches" ADD CONSTRAINT "image_batches_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "image_batches" ADD CONSTRAINT "image_batches_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "image_files" ADD CONSTRAINT "image_files_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "image_files" ADD CONSTRAINT "image_files_batch_id_image_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."image_batches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "image_batches_tenant_created_idx" ON "image_batches" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "image_batches_expiry_idx" ON "image_batches" USING btree ("images_expire_at") WHERE "image_batches"."images_deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX "image_files_tenant_idx" ON "image_files" USING btree ("tenant_id");