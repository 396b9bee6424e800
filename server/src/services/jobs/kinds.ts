/**
 * @module
 * The job kinds of the queue (`jobs.kind`), in one place so the metrics can list them without
 * importing the workers that run them. Who claims which:
 *
 * - `image-batch` — an uploaded image batch, embedded by a replica (`replica/worker.ts`);
 * - `verification` — the labelled set scored through a replica's page (`verification/job.ts`);
 * - `batch-check` — a scheduled batch drift check, run by a server (`batch/scheduler.ts`) or by
 *   `facedrift check --due` from a CronJob.
 */
export const IMAGE_BATCH_JOB = "image-batch";
export const VERIFICATION_JOB = "verification";
export const BATCH_JOB_KIND = "batch-check";

export const JOB_KINDS = [IMAGE_BATCH_JOB, VERIFICATION_JOB, BATCH_JOB_KIND] as const;
/** What the replicas claim: the queue their autoscaler follows. */
export const REPLICA_JOB_KINDS = [IMAGE_BATCH_JOB, VERIFICATION_JOB] as const;
