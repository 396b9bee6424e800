/**
 * @module
 * One batch-detector run over a window of a stream against its active reference: read the
 * window's component scores (cached by the streaming worker, the rest projected here) and its
 * last rows (`scored-window.ts`) → `batchCheckScores` from `@facedrift/stats` (PSI and KS per
 * frozen principal component → severity → MMD; the stream's check profile decides how: the
 * recommended one runs MMD on every check with the person-permutation test at α = 0.004, the
 * design's `seed` one only when PSI/KS flag something (always weekly) against the profile's
 * calibrated threshold; the defaults, and why, are in stats/src/detectors/batch-check.ts)
 * → kNN novelty rate against the reference's HNSW index → one `drift_runs` row holding every
 * number → on confirmed drift, a `batch` finding attached to the stream's incident, whose
 * notification (opened or escalated, if any) is dispatched after the commit,
 * and, when the server has a labelled set, a verification job that measures whether the drift
 * costs accuracy (`verification/queue.ts`).
 */
import { type BatchCheckOptions, mmdRows, pcaFromJson, type ReferenceProfile } from "@facedrift/stats";
import { and, eq, sql } from "drizzle-orm";
import { dispatchNotification } from "../alerts/dispatcher.ts";
import { createDrizzleAlertStore } from "../alerts/drizzle-store.ts";
import type { IncidentNotification } from "../alerts/types.ts";
import { compute } from "../compute/pool.ts";
import type { Database } from "../db/database.ts";
import { type DriftRunKind, driftRuns } from "../db/schema/drift-run.ts";
import { streams } from "../db/schema/stream.ts";
import { FacedriftError } from "../errors.ts";
import { readScoredWindow } from "../services/embeddings/scored-window.ts";
import { type EmbeddingWindow, eventSpan, type readWindow } from "../services/embeddings/window.ts";
import { getActiveReferenceSet } from "../services/reference-sets/get-active.ts";
import { psiPersistsThroughRun } from "../services/stream-settings/psi-persistence.ts";
import { alertRulesOf, toStreamSettings } from "../services/stream-settings/settings.ts";
import { enqueueVerificationOnDrift, type VerificationSettings } from "../verification/queue.ts";
import { writeBatchAlert } from "./alert.ts";
import { measureNovelty } from "./novelty.ts";
import { getRun, type RunView } from "./runs.ts";
import { classifyBatch, hasDetailTest } from "./who-how.ts";

export const DEFAULT_WINDOW_SIZE = 1_000;

export interface BatchRunInput {
  streamId: number;
  kind: DriftRunKind;
  /** Default: the latest `streams.settings.windowSize` (1,000) embeddings. */
  window?: EmbeddingWindow;
  /** Seeds the MMD permutations and the novelty sample (default 0). */
  seed?: number;
  /** Makes the run idempotent per stream (a backfill window, a scheduled slot). */
  idempotencyKey?: string;
  /** With a key that already has a run: "rerun" recomputes it in place, "keep" returns it if it succeeded. */
  onExisting?: "rerun" | "keep";
  /** Window rows queried for kNN novelty (default 500, a seeded sample; all when fewer). */
  noveltyQueries?: number;
  /** Overrides of the check's defaults (`stats/src/detectors/batch-check.ts`, which says why they are what they are). */
  check?: Pick<
    BatchCheckOptions,
    "permutations" | "psiFlag" | "ksAlpha" | "mmdAlpha" | "mmdDecision" | "psiMinRows"
  >;
  dashboardBaseUrl?: string;
  /** Raise a `batch` alert on confirmed drift (default: yes, except for backfill runs, which recompute history). */
  raiseAlerts?: boolean;
  /**
   * Read the whole window's vectors with this reader and project them all, instead of reading
   * cached scores: what benchmarks compare against (e.g. `readWindow`, binary COPY).
   */
  read?: typeof readWindow;
  /** Receives each notification after the commit; default `dispatchNotification` over the database's channels. */
  dispatch?: (notification: IncidentNotification) => void;
  /** On confirmed drift, queue a verification job on this labelled set (see `enqueueVerificationOnDrift`). */
  verifyOnDrift?: VerificationSettings | null;
}

export async function runBatchCheck(database: Database, input: BatchRunInput): Promise<RunView> {
  const { db } = database;
  const [stream] = await db
    .select({
      id: streams.id,
      tenantId: streams.tenantId,
      name: streams.name,
      dimension: streams.dimension,
      modelId: streams.modelId,
      settings: streams.settings,
    })
    .from(streams)
    .where(eq(streams.id, input.streamId));
  if (!stream) throw new FacedriftError("not_found", "the stream no longer exists");
  const reference = await getActiveReferenceSet(db, stream.id);
  if (!reference?.profile) {
    throw new FacedriftError(
      "conflict",
      `stream "${stream.name}" has no active reference with a fitted profile; fit one first`,
      {
        field: "reference",
      },
    );
  }
  const key = input.idempotencyKey ?? null;
  if (key !== null && input.onExisting === "keep") {
    const [existing] = await db
      .select({ id: driftRuns.id })
      .from(driftRuns)
      .where(
        and(
          eq(driftRuns.streamId, stream.id),
          eq(driftRuns.idempotencyKey, key),
          eq(driftRuns.status, "succeeded"),
        ),
      );
    if (existing) return getRun(db, stream.id, Number(existing.id));
  }
  const settings = stream.settings as { windowSize?: number };
  const window = input.window ?? { last: Number(settings.windowSize ?? DEFAULT_WINDOW_SIZE) };
  const seed = input.seed ?? 0;
  const started = performance.now();
  const profile = reference.profile as unknown as ReferenceProfile;
  const data = input.read
    ? await input.read(database, stream.id, stream.dimension, window)
    : await readScoredWindow(
        database,
        stream,
        { id: reference.id, pca: pcaFromJson(profile.pca) },
        window,
        (n) => mmdRows(profile, n),
      );
  const readMs = performance.now() - started;
  if (data.n < 2) {
    throw new FacedriftError(
      "invalid_request",
      `the window holds ${data.n} embeddings; a check needs at least 2`,
      {
        field: "window",
      },
    );
  }
  const runRow = {
    streamId: stream.id,
    referenceSetId: reference.id,
    status: "running" as const,
    kind: input.kind,
    idempotencyKey: key,
    windowStart: data.windowStart,
    windowEnd: data.windowEnd,
    fromSeq: data.fromSeq,
    toSeq: data.toSeq,
    results: {},
    severity: null,
    drift: null,
    error: null,
    finishedAt: null,
  };
  const [inserted] = await db
    .insert(driftRuns)
    .values(runRow)
    .onConflictDoUpdate({
      target: [driftRuns.streamId, driftRuns.idempotencyKey],
      set: { ...runRow, startedAt: sql`now()` },
    })
    .returning({ id: driftRuns.id });
  const runId = Number(inserted?.id);
  let toSend: IncidentNotification[] = [];
  try {
    const checkStart = performance.now();
    // The recommended profile runs MMD on every check, decided by the person-permutation test;
    // the design's `seed` profile gates it on PSI/KS (always on the weekly run) and confirms
    // against the reference's calibrated threshold (services/stream-settings/settings.ts).
    const seedProfile = toStreamSettings(null, stream.settings).checkProfile === "seed";
    const options: BatchCheckOptions = {
      ...(seedProfile ? { mmdDecision: "profile" as const } : {}),
      ...input.check,
      mmd: input.kind === "weekly" || !seedProfile ? "always" : "auto",
      seed,
    };
    // Off the request thread (`compute/pool.ts`): a check of a large window is seconds of CPU.
    const check = await compute(
      "x" in data
        ? { kind: "batch-check", profile, x: data.x, n: data.n, options }
        : {
            kind: "batch-check-scores",
            profile,
            scores: data.scores,
            n: data.n,
            recent: data.recent,
            options,
          },
    );
    const checkMs = performance.now() - checkStart;
    const noveltyStart = performance.now();
    const novelty = await measureNovelty(db, {
      referenceSetId: reference.id,
      dimension: stream.dimension,
      threshold: reference.knnThreshold,
      streamId: stream.id,
      seqs: data.keys,
      queries: input.noveltyQueries ?? 500,
      seed,
    });
    const noveltyMs = performance.now() - noveltyStart;
    // Who or how: the quality test runs on every check whose reference has a quality window, so
    // an input change the embedding statistics miss is still a finding (contrast ×0.4 costs 0.01
    // AUC and slips past the person-permutation MMD at α = 0.004: docs/detection-quality.md,
    // "Batch check"); without one, only when the statistics found something, to say so.
    // Without quality signals the detail test plays that part (identity detail lost against new
    // people: docs/who-vs-how.md, "Without quality signals").
    const whoHow =
      check.drift || profile.quality || hasDetailTest(profile)
        ? await classifyBatch(database, stream, profile, data.keys, check.drift)
        : null;
    const drift = check.drift || whoHow?.category === "input";
    const results = {
      ...check,
      drift,
      ...(drift && !check.drift
        ? { driftBy: whoHow?.detail ? ("detail" as const) : ("quality" as const) }
        : {}),
      novelty,
      // A calm run keeps its quality test's numbers but names no category: nothing was found.
      ...(whoHow && drift
        ? {
            category: whoHow.category,
            impact: whoHow.impact,
            quality: whoHow.quality,
            ...(whoHow.detail ? { detail: whoHow.detail } : {}),
            ...(whoHow.note ? { categoryNote: whoHow.note } : {}),
          }
        : whoHow?.quality
          ? { quality: whoHow.quality }
          : {}),
      window:
        "last" in window
          ? { last: window.last }
          : { from: window.from.toISOString(), to: window.to.toISOString() },
      reference: { id: reference.id, version: reference.version },
      seed,
      cachedScores: "cached" in data ? data.cached : 0,
      timingsMs: { read: readMs, check: checkMs, novelty: noveltyMs, total: performance.now() - started },
    };
    // A finding is about the faces' own time (their `ts`), not when they were posted. Read before
    // the transaction: PGlite has one connection, and the transaction holds it.
    const events = drift ? await eventSpan(database, stream.id, data.fromSeq, data.toSeq) : null;
    toSend = await db.transaction(async (tx) => {
      await tx
        .update(driftRuns)
        .set({
          status: "succeeded",
          severity: check.severity,
          drift,
          results,
          finishedAt: sql`now()`,
        })
        .where(eq(driftRuns.id, runId));
      if (!drift || !(input.raiseAlerts ?? input.kind !== "backfill")) return [];
      // The stream's own alert rules (dashboard Settings): an optional PSI-persistence condition.
      const rules = alertRulesOf(stream.settings);
      if (rules.psiPersistence) {
        const run = { streamId: stream.id, runId, referenceSetId: reference.id, current: check.psi.values };
        if (!(await psiPersistsThroughRun(tx, run, rules.psiPersistence)).fires) return [];
      }
      if (input.verifyOnDrift) {
        await enqueueVerificationOnDrift(tx, input.verifyOnDrift, {
          tenantId: stream.tenantId,
          stream: { id: stream.id, name: stream.name },
          driftRunId: runId,
        });
      }
      return writeBatchAlert(tx, {
        stream: { id: stream.id, tenantId: stream.tenantId, name: stream.name },
        runId,
        reference: { id: reference.id, version: reference.version },
        check,
        novelty:
          novelty.rate === null ? null : { rate: novelty.rate, threshold: novelty.threshold as number },
        whoHow,
        window: events ?? { from: data.windowStart ?? new Date(), to: data.windowEnd ?? new Date() },
        dashboardBaseUrl: input.dashboardBaseUrl ?? "http://localhost:8080",
      });
    });
  } catch (error) {
    await db
      .update(driftRuns)
      .set({ status: "failed", error: String((error as Error)?.message ?? error), finishedAt: sql`now()` })
      .where(eq(driftRuns.id, runId));
    throw error;
  }
  const dispatch =
    input.dispatch ??
    ((notification: IncidentNotification) => {
      // Fire-and-forget: dispatchNotification never rejects, and the run does not wait for delivery.
      void dispatchNotification(notification, createDrizzleAlertStore(db));
    });
  for (const notification of toSend) dispatch(notification);
  return getRun(db, stream.id, runId);
}
