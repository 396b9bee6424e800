-- Public ids (issue 14): the key the API's ids are a permutation under; see server/src/db/schema/id-key.ts.
CREATE TABLE "id_keys" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"key" bytea NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "id_keys_single_row" CHECK ("id_keys"."id" = 1)
);
--> statement-breakpoint
-- 32 bytes from two version-4 UUIDs' random bits (pg_strong_random on PostgreSQL 13+ and PGlite).
INSERT INTO "id_keys" ("key") VALUES (decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));
