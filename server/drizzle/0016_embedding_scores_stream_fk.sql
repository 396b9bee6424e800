-- The score cache's rows are checked against one key, not two (issue 17, item 4). A row of
-- `embedding_scores` already goes with its stream: its `reference_set_id` cascades from
-- `reference_sets`, whose `stream_id` cascades from `streams` (and a reference version belongs to
-- one stream, so the row's `stream_id` is its reference's). The second key only made PostgreSQL
-- look up the stream for every score row the streaming worker writes. `stream_id` stays: privacy
-- erasure and retention delete a stream's scores by seq through it.
ALTER TABLE "embedding_scores" DROP CONSTRAINT "embedding_scores_stream_id_streams_id_fk";
