/**
 * @module
 * One verification run: labelled pairs (`left/right/same`) → every distinct image through the
 * face pipeline once → cosine score per pair → AUC, EER, TAR@FAR → with a database, one
 * `verification_runs` row, and below the minimum AUC a `verification` alert (when the run is tied
 * to a stream) dispatched after the commit. The CLI (`facedrift verify`) and server jobs call this.
 */
import { stat } from "node:fs/promises";
import { balancedSubset, imagesOf, ModelError, type Pair } from "@facedrift/models";
import { readPairs } from "@facedrift/models/node";
import { type DispatchSummary, dispatchNotification } from "../alerts/dispatcher.ts";
import { createDrizzleAlertStore } from "../alerts/drizzle-store.ts";
import type { IncidentNotification } from "../alerts/types.ts";
import type { Database, Tx } from "../db/database.ts";
import { FacedriftError } from "../errors.ts";
import { type ImageOutcome, type Progress, processImages } from "./images.ts";
import { type FacePolicy, type FaceSource, nodeFaceSource } from "./pipeline.ts";
import { type FailurePolicy, scorePairsOffThread } from "./score.ts";
import { storeTarget, storeVerificationRun } from "./store.ts";
import { DEFAULT_MIN_AUC, type VerificationSummary } from "./summary.ts";

export { DEFAULT_MIN_AUC };

export interface VerificationInput {
  pairsFile: string;
  imagesDir: string;
  /** Embedder: a catalogue id or a manifest path; default the registry's default. */
  model?: string;
  /**
   * Where faces come from instead of this process's pipeline (a replica's browser page); `model`
   * and `faces` are then the source's.
   */
  source?: FaceSource;
  /** Aborts between images (a job whose lease was lost). */
  signal?: AbortSignal;
  /**
   * Runs inside the transaction that stores the run, with its id: a job marks itself done there,
   * so a run is stored exactly when its job succeeds. Throwing rolls the run back.
   */
  inTransaction?: (tx: Tx, runId: number) => Promise<void>;
  /** With a database: the tenant (default: the default tenant) and optionally a stream name. */
  tenantId?: number;
  stream?: string;
  /** Below this AUC the run raises a `verification` alert (default 0.98). */
  minAuc?: number;
  /** Only the first ⌈limit/2⌉ genuine and impostor pairs, for a quick run. */
  limit?: number;
  /** Pairs with an image that gave no face: `count` (default) as failed comparisons, or `skip`. */
  failures?: FailurePolicy;
  /** `central` (default, LFW's convention) or `single` (skip images with several faces). */
  faces?: Exclude<FacePolicy, "all">;
  onProgress?: (progress: Progress) => void;
  dashboardBaseUrl?: string;
  /** Sends each notification after the commit; default `dispatchNotification` over the database's channels. */
  dispatch?: (notification: IncidentNotification) => Promise<DispatchSummary> | undefined;
  /** Wait for delivery and report it (a CLI, which closes the database right after); default no. */
  awaitDelivery?: boolean;
}

export async function runVerification(
  database: Database | null,
  input: VerificationInput,
): Promise<VerificationSummary> {
  const started = performance.now();
  const startedAt = new Date();
  const minAuc = input.minAuc ?? DEFAULT_MIN_AUC;
  if (!Number.isFinite(minAuc) || minAuc < 0) {
    throw new FacedriftError("invalid_request", "minAuc must be a number ≥ 0", { field: "minAuc" });
  }
  const pairs = await loadPairs(input);
  if (
    !(await stat(input.imagesDir).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  ) {
    throw new FacedriftError("invalid_request", `images: ${input.imagesDir} is not a directory`, {
      field: "images",
    });
  }
  // Resolve the tenant and stream before the slow part, so a typo fails in a second, not an hour.
  const target = database ? await storeTarget(database, input) : null;

  const source = input.source ?? (await nodeFaceSource(input.model, input.faces ?? "central"));
  const loadMs = performance.now() - started;
  const outcomes = new Map<string, ImageOutcome>();
  const images = imagesOf(pairs);
  const embedding = processImages(source.fileFaces, input.imagesDir, images, input.onProgress, {
    ...(input.signal ? { signal: input.signal } : {}),
  });
  for await (const outcome of embedding) outcomes.set(outcome.name, outcome);
  const embedMs = performance.now() - started - loadMs;
  const failures = input.failures ?? "count";
  const scores = await scorePairsOffThread(pairs, outcomes, source.model.id, failures);
  const failed: Record<string, number> = {};
  for (const outcome of outcomes.values()) {
    if ("failure" in outcome) failed[outcome.failure] = (failed[outcome.failure] ?? 0) + 1;
  }
  const summary: VerificationSummary = {
    runId: null,
    model: source.model,
    pairs: {
      total: pairs.length,
      scored: scores.scored,
      genuine: scores.genuine,
      impostor: scores.impostor,
      skipped: scores.skipped.length,
      failed: scores.failed.length,
    },
    failures,
    failureToExtractRate: Object.values(failed).reduce((sum, n) => sum + n, 0) / Math.max(images.length, 1),
    auc: scores.auc,
    eer: scores.eer,
    tarAtFar: scores.tarAtFar,
    minAuc,
    belowMinAuc: scores.auc < minAuc,
    alert: null,
    skipped: scores.skipped,
    images: {
      total: images.length,
      embedded: images.length - Object.values(failed).reduce((sum, n) => sum + n, 0),
      severalFaces: [...outcomes.values()].filter((o) =>
        "detected" in o ? o.detected > 1 : o.failure === "several faces",
      ).length,
      failed,
    },
    facePolicy: source.policy,
    runsOn: source.runsOn,
    timingMs: {
      load: Math.round(loadMs),
      embed: Math.round(embedMs),
      perImage: Number((embedMs / Math.max(images.length, 1)).toFixed(1)),
      total: Math.round(performance.now() - started),
    },
  };
  if (!database || !target) {
    if (summary.belowMinAuc)
      summary.alert = { id: null, sent: false, note: "no alert row: the run was not stored" };
    return summary;
  }
  const stored = await storeVerificationRun(database, target, summary, {
    pairsFile: input.pairsFile,
    imagesDir: input.imagesDir,
    window: { from: startedAt, to: new Date() },
    dashboardBaseUrl: input.dashboardBaseUrl,
    inTransaction: input.inTransaction,
  });
  summary.runId = stored.runId;
  summary.alert = stored.alert;
  const dispatch =
    input.dispatch ??
    ((notification: IncidentNotification) =>
      dispatchNotification(notification, createDrizzleAlertStore(database.db)));
  // dispatchNotification never rejects; without awaitDelivery the run does not wait for channels.
  const deliveries = stored.notifications.map((notification) => dispatch(notification));
  if (input.awaitDelivery && summary.alert && deliveries.length > 0) {
    const delivery = { delivered: 0, failed: 0 };
    for (const outcome of await Promise.all(deliveries)) {
      delivery.delivered += outcome?.delivered ?? 0;
      delivery.failed += outcome?.failed ?? 0;
    }
    summary.alert.delivery = delivery;
  }
  return summary;
}

async function loadPairs(input: VerificationInput): Promise<Pair[]> {
  let pairs: Pair[];
  try {
    pairs = await readPairs(input.pairsFile);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message =
      error instanceof ModelError
        ? error.message
        : `${input.pairsFile}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`;
    throw new FacedriftError("invalid_request", `pairs: ${message}`, { field: "pairs", cause: error });
  }
  if (input.limit === undefined) return pairs;
  if (!Number.isSafeInteger(input.limit) || input.limit < 2) {
    throw new FacedriftError("invalid_request", "limit must be an integer ≥ 2 (one pair of each class)", {
      field: "limit",
    });
  }
  return balancedSubset(pairs, input.limit);
}
