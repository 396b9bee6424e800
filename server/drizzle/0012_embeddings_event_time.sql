-- Hand-written (drizzle-kit does not manage the partitioned embeddings table).
--
-- Charts and windows are on event time (the embeddings' own `ts`), not receive time: the stream
-- page reads a stream's embeddings by event_time, and this index keeps that a range scan. On the
-- partitioned parent it is created on every partition, and on each new day's partition as it is made.
CREATE INDEX IF NOT EXISTS "embeddings_stream_event_time_idx" ON "embeddings" ("stream_id", "event_time");
