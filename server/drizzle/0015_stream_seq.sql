-- Hand-written. Per-stream embedding seqs (issue 14): `embeddings.seq` was drawn from one sequence
-- for the whole server, so the seqs, `lastSeq` and cursors a tenant saw grew with every tenant's
-- traffic. From here on ingestion numbers each stream's rows 1, 2, 3, … from `streams.last_seq`
-- under the stream's row lock (server/src/services/embeddings/ingest.ts), and this migration
-- renumbers what is stored the same way: each stream's rows in their old seq order, so every
-- order, cursor and range keeps its meaning.
--
-- Rows archived to files (embedding_archives) keep their old seqs inside the sealed file; each
-- not-restored file reserves its row count of numbers at its place in the order, and
-- `seq_offset` says where: row i of the file (from 1) is seq `seq_offset + i` when restored.
-- Files from before 0009 recorded no seq range; they hold a stream's oldest days, so they take
-- the first numbers, in day order.
-- Stored values that name a seq (cursors, checkpoints, drift events, runs, stream findings) map
-- to the number of the last row at or before them, which is the row itself when it is stored.
ALTER TABLE "embedding_archives" ADD COLUMN "seq_offset" bigint;
--> statement-breakpoint
CREATE TEMP TABLE "seq_renumber" ON COMMIT DROP AS
WITH "items" AS (
	SELECT "stream_id", "seq" AS "old_seq", 1::bigint AS "n", NULL::bigint AS "archive_id", NULL::date AS "day"
	FROM "embeddings"
	UNION ALL
	SELECT a."stream_id", coalesce(a."first_seq", 0), a."rows"::bigint, a."id", a."day"
	FROM "embedding_archives" a
	WHERE a."rows" > 0
	  -- A restored day's rows are stored again and are numbered as stored rows.
	  AND NOT EXISTS (SELECT 1 FROM "embeddings" e WHERE e."stream_id" = a."stream_id"
	                    AND e."seq" BETWEEN a."first_seq" AND a."last_seq")
)
SELECT "stream_id", "old_seq", "archive_id", "n",
       sum("n") OVER (PARTITION BY "stream_id" ORDER BY "old_seq", "day", "archive_id" NULLS FIRST
                      ROWS UNBOUNDED PRECEDING) AS "new_last"
FROM "items";
--> statement-breakpoint
CREATE INDEX ON "seq_renumber" ("stream_id", "old_seq");
--> statement-breakpoint
ANALYZE "seq_renumber";
--> statement-breakpoint
-- The per-stream number of the last row at or before old seq `v` of stream `s` (0: none).
CREATE FUNCTION pg_temp.renumbered(s bigint, v bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT "new_last" FROM "seq_renumber" WHERE "stream_id" = s AND "old_seq" <= v
	                 ORDER BY "old_seq" DESC LIMIT 1), 0)
$$;
--> statement-breakpoint
-- Negative first, then flipped: the primary key is checked row by row, and a row's new number
-- may still be another row's old one.
UPDATE "embeddings" e SET "seq" = -r."new_last"
FROM "seq_renumber" r
WHERE r."archive_id" IS NULL AND r."stream_id" = e."stream_id" AND r."old_seq" = e."seq";
--> statement-breakpoint
UPDATE "embeddings" SET "seq" = -"seq" WHERE "seq" < 0;
--> statement-breakpoint
UPDATE "embedding_archives" a SET "seq_offset" = r."new_last" - r."n"
FROM "seq_renumber" r WHERE r."archive_id" = a."id";
--> statement-breakpoint
-- Restored days: their rows were numbered as stored rows, from the number before the first.
UPDATE "embedding_archives" a SET "seq_offset" = pg_temp.renumbered(a."stream_id", a."first_seq" - 1)
WHERE a."seq_offset" IS NULL AND a."first_seq" IS NOT NULL;
--> statement-breakpoint
-- A cache: scores of rows no longer stored go (there should be none), the rest follow their row.
DELETE FROM "embedding_scores" s
WHERE NOT EXISTS (SELECT 1 FROM "seq_renumber" r
                  WHERE r."archive_id" IS NULL AND r."stream_id" = s."stream_id" AND r."old_seq" = s."seq");
--> statement-breakpoint
UPDATE "embedding_scores" s SET "seq" = -r."new_last"
FROM "seq_renumber" r
WHERE r."archive_id" IS NULL AND r."stream_id" = s."stream_id" AND r."old_seq" = s."seq";
--> statement-breakpoint
UPDATE "embedding_scores" SET "seq" = -"seq" WHERE "seq" < 0;
--> statement-breakpoint
UPDATE "drift_events" SET "seq" = pg_temp.renumbered("stream_id", "seq");
--> statement-breakpoint
UPDATE "drift_runs" SET "from_seq" = pg_temp.renumbered("stream_id", "from_seq") WHERE "from_seq" IS NOT NULL;
--> statement-breakpoint
UPDATE "drift_runs" SET "to_seq" = pg_temp.renumbered("stream_id", "to_seq") WHERE "to_seq" IS NOT NULL;
--> statement-breakpoint
UPDATE "alerts" SET "payload" = jsonb_set("payload", '{seq}',
	to_jsonb(pg_temp.renumbered("stream_id", ("payload"->>'seq')::bigint)))
WHERE "detector" = 'stream' AND "stream_id" IS NOT NULL AND jsonb_typeof("payload"->'seq') = 'number';
--> statement-breakpoint
UPDATE "stream_cursors" SET "last_seq" = pg_temp.renumbered("stream_id", "last_seq");
--> statement-breakpoint
-- The streaming checkpoint's open windows (server/src/streaming/detectors.ts, StreamState).
UPDATE "stream_cursors" SET "adwin_state" = jsonb_set("adwin_state", '{mmd,afterSeq}',
	to_jsonb(pg_temp.renumbered("stream_id", ("adwin_state"->'mmd'->>'afterSeq')::bigint)))
WHERE jsonb_typeof("adwin_state"->'mmd'->'afterSeq') = 'number';
--> statement-breakpoint
UPDATE "stream_cursors" SET "adwin_state" = jsonb_set("adwin_state", '{quality,afterSeq}',
	to_jsonb(pg_temp.renumbered("stream_id", ("adwin_state"->'quality'->>'afterSeq')::bigint)))
WHERE jsonb_typeof("adwin_state"->'quality'->'afterSeq') = 'number';
--> statement-breakpoint
UPDATE "streams" s SET "last_seq" = coalesce(
	(SELECT max(r."new_last") FROM "seq_renumber" r WHERE r."stream_id" = s."id"), 0);
--> statement-breakpoint
-- Ingestion and restore set seq themselves now; a writer that does not fails instead of drawing
-- a server-wide number.
ALTER TABLE "embeddings" ALTER COLUMN "seq" DROP DEFAULT;
--> statement-breakpoint
DROP SEQUENCE "embeddings_seq";
