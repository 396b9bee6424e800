/**
 * @module
 * The streaming detector: per stream, PC1 projection of each new embedding → ADWIN → drift events
 * and `stream` alerts, committed with the cursor and the ADWIN checkpoint in one transaction.
 */

export {
  type StreamGauge,
  type StreamingMetricsSnapshot,
  type StreamLag,
  streamingMetricsSnapshot,
  streamLag,
} from "./metrics.ts";
export {
  type BatchOptions,
  type BatchOutcome,
  type CursorPosition,
  processStreamBatch,
  type StreamDetection,
  type StreamRef,
} from "./process-batch.ts";
export { type ReadAfter, readAfterByCopy, readAfterByText, readAhead, type StreamSlice } from "./read.ts";
export { loadActiveReference, type ReferenceCache, type StreamingReference } from "./reference.ts";
export { encodeScoresCopy, type ScoreWriter, writeScoresByCopy } from "./score-cache.ts";
export {
  defaultOwnerId,
  POSTGRES_STREAM_BATCH,
  StreamingWorker,
  type StreamingWorkerOptions,
} from "./worker.ts";
