/**
 * @module
 * Verification jobs as the API shows them: queued on a labelled set, claimed by a replica, with
 * progress while images are embedded, and the stored run (AUC, EER, TAR@FAR) once done. Jobs
 * live in the generic `jobs` queue; the tenant is the payload's.
 */
import { sql } from "drizzle-orm";
import type { Executor } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import type { JobStatus } from "../db/schema/job.ts";
import { FacedriftError } from "../errors.ts";
import { VERIFICATION_JOB, type VerificationJobPayload, type VerificationTrigger } from "./queue.ts";

export interface VerificationJobView {
  id: number;
  status: JobStatus;
  attempts: number;
  stream: string | null;
  trigger: VerificationTrigger;
  pairsFile: string;
  minAuc: number;
  limit: number | null;
  /** Images embedded so far, while running (and as it ended). */
  progress: { done: number; total: number; elapsedMs: number; etaMs: number } | null;
  error: string | null;
  /** The stored run, once the job succeeded. */
  run: {
    id: number;
    auc: number;
    eer: number;
    tarAtFar: Record<string, number>;
    pairs: number;
    belowMinAuc: boolean;
  } | null;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  id: string;
  status: JobStatus;
  attempts: number;
  payload: string;
  progress: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  run_id: string | null;
  auc: number | null;
  eer: number | null;
  tar_at_far: string | null;
  pairs: number | null;
}

const columns = sql`j.id::text AS id, j.status, j.attempts, j.payload::text AS payload,
  j.progress::text AS progress, j.last_error,
  to_char(j.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
  to_char(j.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at,
  r.id::text AS run_id, r.auc, r.eer, r.tar_at_far::text AS tar_at_far, r.pairs`;

const fromJobs = sql`FROM jobs j
  LEFT JOIN verification_runs r ON r.id = (j.result->>'verificationRunId')::bigint`;

export async function viewVerificationJob(
  db: Executor,
  tenantId: number,
  id: number,
): Promise<VerificationJobView> {
  const [row] = await queryRows<Row>(
    db,
    sql`SELECT ${columns} ${fromJobs}
        WHERE j.id = ${id} AND j.kind = ${VERIFICATION_JOB} AND (j.payload->>'tenantId')::bigint = ${tenantId}`,
  );
  if (!row) throw new FacedriftError("not_found", "no such verification job");
  return toView(row);
}

/** The tenant's verification jobs, newest first: what is queued, running, and how recent ones ended. */
export async function listVerificationJobs(
  db: Executor,
  tenantId: number,
  query: { status?: JobStatus | undefined; limit: number },
): Promise<VerificationJobView[]> {
  const rows = await queryRows<Row>(
    db,
    sql`SELECT ${columns} ${fromJobs}
        WHERE j.kind = ${VERIFICATION_JOB} AND (j.payload->>'tenantId')::bigint = ${tenantId}
          ${query.status ? sql`AND j.status = ${query.status}` : sql``}
        ORDER BY j.id DESC LIMIT ${query.limit}`,
  );
  return rows.map(toView);
}

function toView(row: Row): VerificationJobView {
  const payload = JSON.parse(row.payload) as VerificationJobPayload;
  return {
    id: Number(row.id),
    status: row.status,
    attempts: Number(row.attempts),
    stream: payload.stream?.name ?? null,
    trigger: payload.trigger,
    pairsFile: payload.pairsFile,
    minAuc: payload.minAuc,
    limit: payload.limit,
    progress: row.progress ? JSON.parse(row.progress) : null,
    error: row.last_error,
    run:
      row.run_id === null
        ? null
        : {
            id: Number(row.run_id),
            auc: Number(row.auc),
            eer: Number(row.eer),
            tarAtFar: JSON.parse(row.tar_at_far ?? "{}"),
            pairs: Number(row.pairs),
            belowMinAuc: Number(row.auc) < payload.minAuc,
          },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
