/**
 * @module
 * The streaming detectors of one stream and their checkpoint: ADWIN on each embedding's PC1
 * score, ADWIN on its PCA residual, and MMD² of every window of `size` embeddings against the
 * reference's MMD sample — the configuration docs/detection-quality.md recommends. The whole
 * state is one JSON object committed with the cursor (`stream_cursors.adwin_state`), so a crash
 * replays the same embeddings into the same state.
 *
 * The MMD window keeps no vectors in the checkpoint (499 × 512 floats per commit would dwarf
 * everything else): it records how many embeddings of the open window are already behind the
 * cursor and the seq it opened after, and reads those rows again when the window closes. Rows
 * after a seq are append-only (`services/embeddings/ingest.ts`), so a replay reads the same rows.
 *
 * A checkpoint written before this module (a bare `facedrift.adwin/1` PC1 state) is upgraded, not
 * refused: PC1 continues where it was, and the residual ADWIN and the window start at the cursor.
 */
import {
  ADWIN_STATE_FORMAT,
  Adwin,
  type AdwinDetection,
  type AdwinState,
  feedAdwin,
  Pc1Stream,
  pcaResidual,
} from "@facedrift/stats";
import { FacedriftError } from "../errors.ts";
import type { StreamingReference } from "./reference.ts";

export const STREAM_STATE_FORMAT = "facedrift.stream-state/2";

export interface StreamState {
  format: typeof STREAM_STATE_FORMAT;
  pc1: AdwinState;
  /** Null when the reference's profile has no residual calibration (fitted before it existed). */
  residual: AdwinState | null;
  /** The open MMD window: `pending` embeddings after seq `afterSeq` are in it. Null without a threshold. */
  mmd: { pending: number; afterSeq: number } | null;
}

export type Detection =
  | ({ signal: "pc1" | "residual"; seq: number; windowFromSeq: number } & AdwinDetection)
  | {
      signal: "mmd";
      index: number;
      seq: number;
      windowFromSeq: number;
      statistic: number;
      threshold: number;
      alpha: number;
      /** Embeddings the window held (its size unless rows were deleted meanwhile). */
      rows: number;
    };

/** Reads the `count` embeddings after `afterSeq` (the part of an open window behind the cursor). */
export type ReadWindowStart = (
  afterSeq: number,
  count: number,
) => Promise<{ seqs: number[]; x: Float32Array }>;

export interface DetectorsResult {
  state: StreamState;
  /** PC1 score of every embedding of the batch. */
  pc1Scores: Float64Array;
  /** In batch order (by seq, then pc1, residual, mmd). */
  detections: Detection[];
  /** The checkpoint was a PC1-only one from before the residual ADWIN and the window. */
  upgraded: boolean;
}

/**
 * Runs one batch (`seqs`, `x`: n × d, with `componentScores` on every reference component) through
 * the detectors, starting from `previous` (the cursor's checkpoint; null or another reference's
 * means start afresh at `lastSeq`).
 */
export async function runDetectors(
  reference: StreamingReference,
  previous: Record<string, unknown> | null,
  lastSeq: number,
  batch: { seqs: number[]; x: Float32Array; componentScores: Float64Array },
  readWindowStart: ReadWindowStart,
): Promise<DetectorsResult> {
  const { seqs, x, componentScores } = batch;
  const n = seqs.length;
  const { state: start, upgraded } = restore(reference, previous, lastSeq);
  const pc1 = new Pc1Stream(reference.projection, start.pc1);
  const { scores, detections: pc1Detections } = pc1.process(x, n);
  const detections: Detection[] = pc1Detections.map((d) => adwinDetection("pc1", d, seqs));
  let residual: AdwinState | null = null;
  if (start.residual) {
    const adwin = Adwin.fromJSON(start.residual);
    const values = pcaResidual(reference.pca, x, n, componentScores);
    detections.push(...feedAdwin(adwin, values).map((d) => adwinDetection("residual", d, seqs)));
    residual = adwin.toJSON();
  }
  const mmd =
    start.mmd && reference.mmdWindow
      ? await runWindows(reference.mmdWindow, start.mmd, batch, readWindowStart)
      : null;
  if (mmd) detections.push(...mmd.detections);
  detections.sort((a, b) => a.index - b.index);
  return {
    state: { format: STREAM_STATE_FORMAT, pc1: pc1.state(), residual, mmd: mmd?.open ?? null },
    pc1Scores: scores,
    detections,
    upgraded,
  };
}

function adwinDetection(signal: "pc1" | "residual", d: AdwinDetection, seqs: number[]): Detection {
  // The window ADWIN kept, as far back as this batch reaches.
  const from = Math.max(0, d.index - d.widthAfter + 1);
  return { signal, ...d, seq: seqs[d.index] as number, windowFromSeq: seqs[from] as number };
}

async function runWindows(
  window: NonNullable<StreamingReference["mmdWindow"]>,
  open: { pending: number; afterSeq: number },
  batch: { seqs: number[]; x: Float32Array },
  readWindowStart: ReadWindowStart,
) {
  const { seqs, x } = batch;
  const n = seqs.length;
  const d = x.length / Math.max(1, n);
  const detections: Detection[] = [];
  let { pending, afterSeq } = open;
  let from = 0; // the first batch row of the open window
  while (n - from >= window.size - pending) {
    const end = from + window.size - pending; // exclusive
    const before =
      pending > 0 ? await readWindowStart(afterSeq, pending) : { seqs: [], x: new Float32Array(0) };
    const rows = before.seqs.length + (end - from);
    const values = new Float32Array(rows * d);
    values.set(before.x);
    values.set(x.subarray(from * d, end * d), before.x.length);
    const statistic = rows >= 2 ? window.detector.statistic(values, rows) : Number.NaN;
    if (statistic > window.threshold) {
      detections.push({
        signal: "mmd",
        index: end - 1,
        seq: seqs[end - 1] as number,
        windowFromSeq: (before.seqs[0] ?? seqs[from]) as number,
        statistic,
        threshold: window.threshold,
        alpha: window.alpha,
        rows,
      });
    }
    afterSeq = seqs[end - 1] as number;
    pending = 0;
    from = end;
  }
  return { detections, open: { pending: pending + (n - from), afterSeq } };
}

function restore(
  reference: StreamingReference,
  previous: Record<string, unknown> | null,
  lastSeq: number,
): { state: StreamState; upgraded: boolean } {
  const fresh = (pc1: AdwinState): StreamState => ({
    format: STREAM_STATE_FORMAT,
    pc1,
    residual: reference.residualAdwin ? new Adwin(reference.residualAdwin).toJSON() : null,
    mmd: reference.mmdWindow ? { pending: 0, afterSeq: lastSeq } : null,
  });
  if (previous === null) return { state: fresh(new Adwin(reference.adwin).toJSON()), upgraded: false };
  if (previous.format === ADWIN_STATE_FORMAT)
    return { state: fresh(previous as unknown as AdwinState), upgraded: true };
  if (previous.format !== STREAM_STATE_FORMAT) {
    throw new FacedriftError(
      "invalid_request",
      `stream cursor's adwin_state has format ${JSON.stringify(previous.format)}, expected ${STREAM_STATE_FORMAT} or ${ADWIN_STATE_FORMAT}`,
      { field: "adwin_state" },
    );
  }
  return { state: previous as unknown as StreamState, upgraded: false };
}
