import type { Database } from "../db/database.ts";
import { FacedriftError } from "../errors.ts";
import { checkWindow } from "../services/embeddings/window.ts";
import { getActiveReferenceSet } from "../services/reference-sets/get-active.ts";
import { runBatchCheck } from "./run.ts";
import type { RunView } from "./runs.ts";

export interface BackfillInput {
  streamId: number;
  from: Date;
  to: Date;
  /** Length of each window (default one day); the last one ends at `to`. */
  everyMs?: number;
  seed?: number;
  onProgress?: (done: number, total: number, window: { from: Date; to: Date }, run: RunView | null) => void;
}

export interface BackfillResult {
  runs: RunView[];
  /** Windows with fewer than 2 embeddings: nothing to check, no run stored. */
  skipped: number;
}

/** Most windows one backfill may cover, so a typo in `every` cannot queue millions of runs. */
export const MAX_BACKFILL_WINDOWS = 10_000;

/**
 * Recomputes batch runs for consecutive windows of [from, to) against the active reference.
 * Idempotent: each window's run carries the key `backfill:<referenceSetId>:<from>:<to>`, so a
 * second backfill recomputes the same rows in place (the unique key per stream forbids a
 * duplicate) and a backfill against another reference version keeps its own rows. Backfilled
 * runs raise no alerts: they describe the past.
 */
export async function backfillRuns(database: Database, input: BackfillInput): Promise<BackfillResult> {
  checkWindow({ from: input.from, to: input.to });
  const every = input.everyMs ?? 86_400_000;
  if (!Number.isFinite(every) || every < 60_000) {
    throw new FacedriftError("invalid_request", "every must be at least one minute", { field: "every" });
  }
  const total = Math.ceil((input.to.getTime() - input.from.getTime()) / every);
  if (total > MAX_BACKFILL_WINDOWS) {
    throw new FacedriftError(
      "invalid_request",
      `${total} windows exceed the limit of ${MAX_BACKFILL_WINDOWS}`,
      {
        field: "every",
      },
    );
  }
  const reference = await getActiveReferenceSet(database.db, input.streamId);
  if (!reference) {
    throw new FacedriftError("conflict", "the stream has no active reference; fit one first", {
      field: "reference",
    });
  }
  const result: BackfillResult = { runs: [], skipped: 0 };
  for (let i = 0; i < total; i++) {
    const from = new Date(input.from.getTime() + i * every);
    const to = new Date(Math.min(from.getTime() + every, input.to.getTime()));
    let run: RunView | null = null;
    try {
      run = await runBatchCheck(database, {
        streamId: input.streamId,
        kind: "backfill",
        window: { from, to },
        seed: input.seed,
        idempotencyKey: `backfill:${reference.id}:${from.toISOString()}:${to.toISOString()}`,
        onExisting: "rerun",
      });
      result.runs.push(run);
    } catch (error) {
      if (!(error instanceof FacedriftError && error.field === "window")) throw error;
      result.skipped++;
    }
    input.onProgress?.(i + 1, total, { from, to }, run);
  }
  return result;
}
