/**
 * @module
 * Queueing verification jobs (`verification/job.ts` runs them): the server's configured labelled
 * set, the job's payload, and the automatic job after a confirmed batch drift. Kept apart from the
 * runner so the API and the batch detector do not load the face models' modules.
 */
import { stat } from "node:fs/promises";
import { sql } from "drizzle-orm";
import type { Config } from "../config/config.ts";
import type { Executor, Tx } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { FacedriftError } from "../errors.ts";
import { VERIFICATION_JOB } from "../services/jobs/kinds.ts";
import { enqueueJob } from "../services/jobs/queue.ts";
import { DEFAULT_VERIFICATION_COOLDOWN_MS } from "./alert.ts";

export { VERIFICATION_JOB } from "../services/jobs/kinds.ts";

/** The labelled set and threshold a server queues verification jobs with (from its config). */
export interface VerificationSettings {
  pairsFile: string;
  imagesDir: string;
  minAuc: number;
  /** Pairs per run (half genuine, half impostor); all when absent. */
  limit?: number | undefined;
}

export type VerificationTrigger =
  | { kind: "api"; actor: string }
  | { kind: "batch-drift"; driftRunId: number };

export interface VerificationJobPayload {
  tenantId: number;
  /** The stream the run is tied to (its alerts need one); null for a model-only run. */
  stream: { id: number; name: string } | null;
  pairsFile: string;
  imagesDir: string;
  minAuc: number;
  limit: number | null;
  trigger: VerificationTrigger;
}

/** The configured labelled set, or null when the server has none. */
export function verificationSettingsOf(config: Config): VerificationSettings | null {
  if (!config.verificationPairs || !config.verificationImages) return null;
  return {
    pairsFile: config.verificationPairs,
    imagesDir: config.verificationImages,
    minAuc: config.verificationMinAuc,
    limit: config.verificationLimit,
  };
}

export function enqueueVerification(db: Executor, payload: VerificationJobPayload): Promise<number> {
  return enqueueJob(db, VERIFICATION_JOB, payload as unknown as Record<string, unknown>);
}

/**
 * After a batch run confirmed drift on a stream (inside that run's transaction): queue a
 * verification of the stream's model, unless one is queued or running for the stream, or one was
 * queued within `cooldownMs` — a drifting stream is checked every run, but its model need not be
 * re-verified every hour. The advisory lock keeps two replicas' runs from both queueing one.
 */
export async function enqueueVerificationOnDrift(
  tx: Tx,
  settings: VerificationSettings,
  drift: { tenantId: number; stream: { id: number; name: string }; driftRunId: number },
  cooldownMs: number = DEFAULT_VERIFICATION_COOLDOWN_MS,
): Promise<number | null> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`verification:${drift.stream.id}`}))`);
  const recent = await queryRows<{ id: string }>(
    tx,
    sql`SELECT id::text AS id FROM jobs
        WHERE kind = ${VERIFICATION_JOB} AND (payload->'stream'->>'id')::bigint = ${drift.stream.id}
          AND (status IN ('queued', 'running') OR created_at > now() - ${cooldownMs} * interval '1 millisecond')
        LIMIT 1`,
  );
  if (recent.length > 0) return null;
  return enqueueVerification(tx, {
    tenantId: drift.tenantId,
    stream: drift.stream,
    pairsFile: settings.pairsFile,
    imagesDir: settings.imagesDir,
    minAuc: settings.minAuc,
    limit: settings.limit ?? null,
    trigger: { kind: "batch-drift", driftRunId: drift.driftRunId },
  });
}

export interface VerificationRequest {
  tenantId: number;
  stream: { id: number; name: string } | null;
  minAuc?: number | undefined;
  limit?: number | undefined;
  actor: string;
}

/**
 * Queues a verification asked for through the API. Refused (409) when the server has no labelled
 * set, or its files are not there: better now than as a failed job minutes later.
 */
export async function requestVerification(
  db: Executor,
  settings: VerificationSettings | null,
  request: VerificationRequest,
): Promise<number> {
  if (!settings) {
    throw new FacedriftError(
      "conflict",
      "this server has no labelled set for verification: set FACEDRIFT_VERIFICATION_PAIRS and FACEDRIFT_VERIFICATION_IMAGES",
      { field: "verification" },
    );
  }
  const kinds = [
    [settings.pairsFile, "FACEDRIFT_VERIFICATION_PAIRS", "file"],
    [settings.imagesDir, "FACEDRIFT_VERIFICATION_IMAGES", "folder"],
  ] as const;
  for (const [path, name, kind] of kinds) {
    const found = await stat(path).then(
      (s) => (kind === "file" ? s.isFile() : s.isDirectory()),
      () => false,
    );
    if (!found) {
      throw new FacedriftError("conflict", `the labelled set's ${name} (${path}) is not a readable ${kind}`, {
        field: "verification",
      });
    }
  }
  return enqueueVerification(db, {
    tenantId: request.tenantId,
    stream: request.stream,
    pairsFile: settings.pairsFile,
    imagesDir: settings.imagesDir,
    minAuc: request.minAuc ?? settings.minAuc,
    limit: request.limit ?? settings.limit ?? null,
    trigger: { kind: "api", actor: request.actor },
  });
}
