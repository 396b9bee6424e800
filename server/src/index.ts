/**
 * The server package's public surface, for the drift workers, the bench and e2e: open and
 * migrate a database, build the HTTP app, and call the same services the routes call.
 */
export { type BackfillInput, type BackfillResult, backfillRuns } from "./batch/backfill.ts";
export { type BatchRunInput, runBatchCheck } from "./batch/run.ts";
export { getRun, listRuns, type RunView } from "./batch/runs.ts";
export { BatchScheduler, type BatchSchedulerOptions } from "./batch/scheduler.ts";
export type { Config } from "./config/config.ts";
export { DEFAULT_CONFIG, loadConfig } from "./config/config.ts";
export type { Database, Db, Executor, Tx } from "./db/database.ts";
export { queryRows } from "./db/database.ts";
export { migrateDatabase } from "./db/migrate.ts";
export { openDatabase } from "./db/open.ts";
export { dropEmbeddingsBefore, ensureEmbeddingPartitions } from "./db/partitions.ts";
export { openPglite } from "./db/pglite.ts";
export { openPostgres } from "./db/postgres.ts";
export { nearestReferenceSql } from "./db/reference-index.ts";
export * as schema from "./db/schema/index.ts";
export { type ErrorCode, FacedriftError } from "./errors.ts";
export { createApp } from "./http/app.ts";
export { jsonLogger, type Logger, silentLogger } from "./log.ts";
export { createMetrics, type Metrics } from "./metrics/metrics.ts";
export { type ArchiveReport, archiveExpired } from "./retention/archive.ts";
export type { ArchiveStore } from "./retention/archive-store.ts";
export { LocalArchiveStore } from "./retention/local-store.ts";
export { S3ArchiveStore } from "./retention/s3-store.ts";
export { createApiKey } from "./services/api-keys/create.ts";
export type { IngestItem } from "./services/embeddings/decode.ts";
export { type IngestInput, type IngestResult, ingestEmbeddings } from "./services/embeddings/ingest.ts";
export { type EmbeddingPage, listEmbeddings, type StoredEmbedding } from "./services/embeddings/list.ts";
export { type EmbeddingWindow, readWindow } from "./services/embeddings/window.ts";
export { claimJob, enqueueJob, finishJob } from "./services/jobs/queue.ts";
export { createReferenceSet, type NewReferenceSet } from "./services/reference-sets/create.ts";
export {
  getActiveReferenceSet,
  loadReferenceVectors,
} from "./services/reference-sets/get-active.ts";
export {
  exportReference,
  importReference,
  REFERENCE_FILE_FORMAT,
  type ReferenceFile,
} from "./services/references/file.ts";
export { type FitReferenceInput, type FittedReference, fitReference } from "./services/references/fit.ts";
export {
  activateReference,
  getReference,
  listReferences,
  type ReferenceView,
} from "./services/references/view.ts";
export {
  acquireStreamLease,
  releaseStreamLease,
  type StreamCursor,
  saveStreamCursor,
} from "./services/stream-cursors/lease.ts";
export { getStream } from "./services/streams/get.ts";
export { listStreams } from "./services/streams/list.ts";
export { listAllStreams, type WorkerStream } from "./services/streams/list-all.ts";
export { ensureTenant } from "./services/tenants/default.ts";
export {
  processStreamBatch,
  type StreamingMetricsSnapshot,
  StreamingWorker,
  type StreamingWorkerOptions,
  type StreamLag,
  streamingMetricsSnapshot,
  streamLag,
} from "./streaming/index.ts";
