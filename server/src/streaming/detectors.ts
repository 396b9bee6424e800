/**
 * @module
 * The streaming detectors of one stream and their checkpoint: ADWIN on each embedding's PC1
 * score, ADWIN on its PCA residual, MMD² of every window of `size` embeddings against the
 * reference's MMD sample, and the quality window (`@facedrift/stats` quality-window: is the
 * pipeline seeing faces differently, whoever they are) — docs/who-vs-how.md.
 *
 * Every detection is classified: the quality window's findings are *input* (a camera, lighting or
 * pre-processing change), with a predicted verification cost from the embedder's harm model; the
 * embedding statistics' findings are *population* (who walks past changed) unless the quality
 * window fired within the last two windows, in which case they are evidence of the same input
 * change. A reference fitted without quality signals (embeddings only) cannot watch how faces are
 * seen, so there each embedding finding is tested again over *people* (`people-check.ts`): the
 * window of rows it is about, cut into people at the model's same-person threshold, against the
 * reference's MMD sample with whole people permuted. A shift that a window of a few people (a door
 * camera's staff) explains is population; one that survives is input. The whole
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
  checkPeople,
  DETAIL_TEST_ALPHA,
  type DetailTest,
  detailTest,
  feedAdwin,
  harmEffects,
  inputSeverity,
  Pc1Stream,
  type PcaModel,
  type PeopleCheck,
  type PeopleReference,
  type PeopleStatistic,
  pcaResidual,
  predictHarm,
  projectPca,
  type QualityRecord,
  type QualityWindowResult,
  qualityWindowTest,
  type ResidualDirection,
  type ResidualLevel,
  residualDirectionOf,
  residualEffect,
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
  /**
   * The open quality window (as `mmd`), and how many embeddings ago it last fired (null: not
   * within reach). Absent in checkpoints from before it, and null without a quality profile.
   */
  quality?: { pending: number; afterSeq: number; sinceInput: number | null } | null;
}

/** Who changed or how the pipeline sees: see the module comment. */
export type DetectionCategory = "population" | "input";

interface Classified {
  /**
   * Null when the reference has neither a quality window nor a same-person threshold: who and how
   * cannot be told apart then.
   */
  category: DetectionCategory | null;
  /**
   * How an embedding finding was classified on a reference without quality signals: the detail
   * test (`detailTest`: did the window's faces lose identity detail against new people?), or on
   * a profile stored before the residual level had variance components, the person test.
   */
  detail?: DetailTest;
  people?: PeopleCheck;
  /**
   * Predicted verification cost of an embedding finding the person test called input, from the
   * embedder's embedding-only harm model and the finding's rows; absent without one. (The
   * quality window's findings carry theirs, from the quality harm model, as `impact` too.)
   */
  impact?: { deltaAuc: number; error: number } | null;
}

export type Detection =
  | ({ signal: "pc1" | "residual"; seq: number; windowFromSeq: number } & AdwinDetection & Classified)
  | ({
      signal: "quality";
      index: number;
      seq: number;
      windowFromSeq: number;
      result: QualityWindowResult;
      zCritical: number;
      /** Predicted verification cost (ΔAUC) with its held-out error; null without a harm model for the embedder. */
      impact: { deltaAuc: number; error: number } | null;
      /**
       * The window's mean PCA residual against the level of new people, in its standard
       * deviations (negative: identity detail lost); null for a profile without a residual level.
       */
      residualEffect: number | null;
      severity: "warning" | "critical";
    } & Classified)
  | ({
      signal: "mmd";
      index: number;
      seq: number;
      windowFromSeq: number;
      statistic: number;
      threshold: number;
      alpha: number;
      /** Embeddings the window held (its size unless rows were deleted meanwhile). */
      rows: number;
      /** What the kernel saw: PCA scores and residual, or every dimension (a profile from before). */
      space: "pca-scores+residual" | "all-dimensions";
    } & Classified);

/** Reads the `count` embeddings after `afterSeq` (the part of an open window behind the cursor). */
export type ReadWindowStart = (
  afterSeq: number,
  count: number,
) => Promise<{ seqs: number[]; x: Float32Array }>;

/** Reads the quality records (`metadata.quality`) of the given seqs, in that order. */
export type ReadQuality = (seqs: readonly number[]) => Promise<QualityRecord[]>;

/** Reads the last `count` embeddings with a seq below `beforeSeq`, oldest first (rows behind the cursor). */
export type ReadBefore = (beforeSeq: number, count: number) => Promise<{ seqs: number[]; x: Float32Array }>;

/** How the detectors read rows that are not in the batch. */
export interface DetectorReaders {
  /** The part of an open window behind the cursor. */
  windowStart: ReadWindowStart;
  /** Quality records; without it every row has none. */
  quality?: ReadQuality;
  /** Rows before the batch that a people check needs; without it the check uses the batch's rows only. */
  before?: ReadBefore;
}

export interface DetectorsResult {
  state: StreamState;
  /** PC1 score of every embedding of the batch. */
  pc1Scores: Float64Array;
  /** In batch order (by seq, then pc1, residual, mmd). */
  detections: Detection[];
  /** The checkpoint was a PC1-only one from before the residual ADWIN and the window. */
  upgraded: boolean;
}

/** One batch: its rows and what `projectBatch` computed for them (residual and features optional). */
export interface DetectorBatch {
  seqs: number[];
  /** n × d, row-major. */
  x: Float32Array;
  /** Scores on every reference component (n × k, `projectPca`'s numbers); PC1 is column 0. */
  componentScores: Float64Array;
  /** The PCA residual of each row; computed here when absent. */
  residual?: Float64Array | null;
  /** The window's random features of each row (n × D); computed here when absent. */
  windowFeatures?: Float64Array | null;
}

/**
 * Runs one batch through the detectors, starting from `previous` (the cursor's checkpoint; null
 * or another reference's means start afresh at `lastSeq`).
 */
export async function runDetectors(
  reference: StreamingReference,
  previous: Record<string, unknown> | null,
  lastSeq: number,
  batch: DetectorBatch,
  readers: DetectorReaders,
): Promise<DetectorsResult> {
  const readWindowStart = readers.windowStart;
  const readQuality: ReadQuality = readers.quality ?? (async (wanted) => wanted.map(() => null));
  const { seqs, x, componentScores } = batch;
  const n = seqs.length;
  const k = reference.pca.nComponents;
  const { state: start, upgraded } = restore(reference, previous, lastSeq);
  const pc1 = new Pc1Stream(reference.projection, start.pc1);
  // `reference.projection` is the PCA's first component and mean, so column 0 is what
  // `pc1.process(x, n)` would compute, bit for bit (one dot product per score in the kernel).
  const scores = Float64Array.from({ length: n }, (_, i) => componentScores[i * k] as number);
  const detections: Detection[] = pc1.feed(scores).map((d) => adwinDetection("pc1", d, seqs));
  let residual: AdwinState | null = null;
  if (start.residual) {
    const adwin = Adwin.fromJSON(start.residual);
    const values = batch.residual ?? pcaResidual(reference.pca, x, n, componentScores);
    detections.push(...feedAdwin(adwin, values).map((d) => adwinDetection("residual", d, seqs)));
    residual = adwin.toJSON();
  }
  const mmd =
    start.mmd && reference.mmdWindow
      ? await runWindows(reference.mmdWindow, start.mmd, batch, readWindowStart)
      : null;
  if (mmd) detections.push(...mmd.detections);
  const qualityStart =
    start.quality === undefined && reference.quality
      ? { pending: 0, afterSeq: lastSeq, sinceInput: null }
      : start.quality;
  const quality =
    qualityStart && reference.quality
      ? await runQualityWindows(reference, qualityStart, batch, readWindowStart, readQuality)
      : null;
  if (quality) detections.push(...quality.detections);
  detections.sort((a, b) => a.index - b.index);
  if (reference.quality) {
    classify(detections, qualityStart?.sinceInput ?? null, reference.quality.profile.windowSize);
    // A stream whose embeddings carry no quality signals leaves the quality window blind: its
    // silence says nothing, so those findings are classified from the embeddings alone (the detail test).
    if (reference.people) {
      const blind = await blindFindings(detections, seqs, readQuality);
      await classifyFromEmbeddings(reference, blind, batch, readers.before);
    }
  } else if (reference.people) await classifyFromEmbeddings(reference, detections, batch, readers.before);
  return {
    state: {
      format: STREAM_STATE_FORMAT,
      pc1: pc1.state(),
      residual,
      mmd: mmd?.open ?? null,
      quality: quality?.open ?? null,
    },
    pc1Scores: scores,
    detections,
    upgraded,
  };
}

function adwinDetection(signal: "pc1" | "residual", d: AdwinDetection, seqs: number[]): Detection {
  // The window ADWIN kept, as far back as this batch reaches.
  const from = Math.max(0, d.index - d.widthAfter + 1);
  return { signal, ...d, seq: seqs[d.index] as number, windowFromSeq: seqs[from] as number, category: null };
}

/**
 * Embedding-statistic detections are population findings unless the quality window fired within
 * two windows before them (in this batch, or `sinceInput` embeddings before it began).
 */
function classify(detections: Detection[], sinceInput: number | null, windowSize: number): void {
  let lastInput = sinceInput === null ? Number.NEGATIVE_INFINITY : -sinceInput;
  for (const d of detections) {
    if (d.signal === "quality") {
      lastInput = d.index;
      continue;
    }
    d.category = d.index - lastInput <= 2 * windowSize ? "input" : "population";
  }
}

/**
 * The embedding findings called population only because the quality window did not fire, where
 * most of the last rows up to them carry no quality signals for it to see.
 */
async function blindFindings(
  detections: Detection[],
  seqs: readonly number[],
  readQuality: ReadQuality,
): Promise<Detection[]> {
  const blind: Detection[] = [];
  for (const d of detections) {
    if (d.signal === "quality" || d.category !== "population") continue;
    const recent = seqs.slice(Math.max(0, d.index + 1 - BLIND_ROWS), d.index + 1);
    const seen = (await readQuality(recent)).filter((q) => q !== null).length;
    if (seen < recent.length / 2) blind.push(d);
  }
  return blind;
}

/** How many of a finding's most recent rows (in its batch) decide whether the quality window could see them. */
const BLIND_ROWS = 100;

/**
 * Without quality signals: each embedding finding's rows (its MMD window, or ADWIN's most recent
 * rows) are tested for lost identity detail against new people (`detailTest`): lost (or
 * embeddings far off the face space) → input, else population. The null of that test is "new
 * people, whoever they are", so a new population (people unlike the reference's) stays a
 * population finding, where a test of "the reference's kind of people" (the person test) calls
 * it input: on LFW look-alike groups it did, 6 of 6 (docs/who-vs-how.md). A change that keeps identity detail is then reported as population too:
 * from the embeddings alone it cannot be told from new people. Profiles stored before the level
 * had variance components keep the person test.
 */
async function classifyFromEmbeddings(
  reference: StreamingReference,
  detections: Detection[],
  batch: { seqs: number[]; x: Float32Array },
  readBefore: ReadBefore | undefined,
): Promise<void> {
  const { pca, residualLevel, embeddingHarm } = reference;
  const people = reference.people as NonNullable<StreamingReference["people"]>;
  const n = batch.seqs.length;
  const d = batch.x.length / Math.max(1, n);
  for (const detection of detections) {
    if (detection.signal === "quality") continue;
    const wanted = peopleWindowRows(detection);
    const inBatch = Math.min(wanted, detection.index + 1);
    const from = detection.index + 1 - inBatch;
    const behind =
      wanted > inBatch && readBefore
        ? await readBefore(batch.seqs[0] as number, wanted - inBatch)
        : { seqs: [], x: new Float32Array(0) };
    const rows = behind.seqs.length + inBatch;
    const window = new Float32Array(rows * d);
    window.set(behind.x);
    window.set(batch.x.subarray(from * d, (detection.index + 1) * d), behind.x.length);
    const detail =
      residualLevel &&
      detailOf(residualLevel, pca, people, detection, window, rows, d, residualDirectionOf(embeddingHarm));
    if (detail) {
      const tested = window.subarray((rows - detail.rows) * d);
      detection.detail = detail;
      detection.category = detail.lost || detail.offFaceSpace ? "input" : "population";
      if (detail.lost && embeddingHarm)
        detection.impact = predictHarm(embeddingHarm, {
          embeddingResidual: residualEffect(residualLevel, pca, tested, detail.rows),
        });
      continue;
    }
    detection.people = checkPeople(
      people,
      window,
      rows,
      d,
      statisticOf(people, detection.signal, pca, window, rows),
    );
    detection.category = detection.people.verdict;
    if (detection.category === "input" && embeddingHarm && residualLevel)
      detection.impact = predictHarm(embeddingHarm, {
        embeddingResidual: residualEffect(residualLevel, pca, window, rows),
      });
  }
}

/**
 * The detail test of a finding's rows: an MMD finding's window once; an ADWIN finding's nested
 * most recent rows (as the person test reads them), the most telling kept at α over their number
 * (Bonferroni). Null when the level predates the test.
 */
function detailOf(
  level: ResidualLevel,
  pca: PcaModel,
  people: PeopleReference,
  detection: Detection,
  window: Float32Array,
  rows: number,
  d: number,
  degraded: ResidualDirection,
): DetailTest | null {
  const sizes =
    detection.signal === "mmd"
      ? [rows]
      : [...new Set(ADWIN_PEOPLE_WINDOWS.map((size) => Math.min(size, rows)))].filter((size) => size > 0);
  let best: DetailTest | null = null;
  for (const size of sizes) {
    const test = detailTest(
      level,
      pca,
      window.subarray((rows - size) * d, rows * d),
      size,
      people.samePersonThreshold,
      DETAIL_TEST_ALPHA / sizes.length,
      degraded,
    );
    if (!test) return null;
    // The most telling of the nested windows: one that fired first, then the farthest off.
    const fired = (t: DetailTest) => t.lost || t.offFaceSpace;
    if (
      !best ||
      (fired(test) && !fired(best)) ||
      (fired(best) === fired(test) && Math.abs(test.z) > Math.abs(best.z))
    )
      best = test;
  }
  return best;
}

/** The statistic a people check keeps: MMD for the window, the row value ADWIN watched for PC1 and the residual. */
function statisticOf(
  people: NonNullable<StreamingReference["people"]>,
  signal: Detection["signal"],
  pca: PcaModel,
  window: Float32Array,
  rows: number,
): PeopleStatistic {
  if (signal !== "pc1" && signal !== "residual") return { kind: "mmd" };
  const scores = projectPca(pca, window, rows);
  const windowValues =
    signal === "pc1"
      ? Float64Array.from({ length: rows }, (_, i) => scores[i * pca.nComponents] as number)
      : pcaResidual(pca, window, rows, scores);
  return { kind: "mean", referenceValues: people.values[signal], windowValues, nested: ADWIN_PEOPLE_WINDOWS };
}

/** The rows a people check reads: an MMD finding's own window; for ADWIN, the largest of its nested windows. */
export function peopleWindowRows(d: Detection): number {
  if (d.signal === "mmd") return d.rows;
  if (d.signal === "quality") return d.result.rows;
  return ADWIN_PEOPLE_WINDOWS.at(-1) as number;
}

/**
 * The most recent rows an ADWIN finding is tested on, nested. ADWIN's kept window often reaches
 * far back before the change (its cut is conservative), so it cannot say which rows changed; the
 * most recent rows are the most surely changed ones. A change caught early shows in the last 100,
 * a small one caught late needs 500 to be seen over people; the p-value is Bonferroni-adjusted.
 */
const ADWIN_PEOPLE_WINDOWS = [100, 200, 500] as const;

/**
 * Sliding quality windows: every `step` embeddings the last `windowSize` are tested. Like the
 * MMD window, the checkpoint keeps no vectors: the rows of the open window behind the cursor are
 * read again when it closes.
 */
async function runQualityWindows(
  reference: StreamingReference,
  open: NonNullable<StreamState["quality"]>,
  batch: { seqs: number[]; x: Float32Array },
  readWindowStart: ReadWindowStart,
  readQuality: ReadQuality,
) {
  const quality = reference.quality as NonNullable<StreamingReference["quality"]>;
  const { windowSize: size, step } = quality.profile;
  const { seqs, x } = batch;
  const n = seqs.length;
  const d = x.length / Math.max(1, n);
  const detections: Detection[] = [];
  let { pending, afterSeq } = open;
  // Batch index at which the quality window last fired (negative: before this batch).
  let lastFired = open.sinceInput === null ? null : -open.sinceInput;
  let from = 0;
  while (n - from >= size - pending) {
    const end = from + size - pending;
    const before =
      pending > 0 ? await readWindowStart(afterSeq, pending) : { seqs: [], x: new Float32Array(0) };
    const windowSeqs = [...before.seqs, ...seqs.slice(from, end)];
    const rows = windowSeqs.length;
    const values = new Float32Array(rows * d);
    values.set(before.x);
    values.set(x.subarray(from * d, end * d), before.x.length);
    const result = qualityWindowTest(quality.profile, values, rows, d, await readQuality(windowSeqs));
    if (result.fired.length > 0) {
      const residual = reference.residualLevel
        ? residualEffect(reference.residualLevel, reference.pca, values, rows)
        : null;
      const impact = quality.harm ? predictHarm(quality.harm, harmEffects(result, residual)) : null;
      detections.push({
        signal: "quality",
        index: end - 1,
        seq: seqs[end - 1] as number,
        windowFromSeq: windowSeqs[0] as number,
        result,
        zCritical: quality.profile.zCritical,
        impact,
        residualEffect: residual,
        severity: inputSeverity(impact),
        category: "input",
      });
      lastFired = end;
    }
    // The next window keeps the last size − step rows of this one.
    if (rows > step) {
      afterSeq = windowSeqs[step - 1] as number;
      pending = rows - step;
    } else {
      afterSeq = seqs[end - 1] as number;
      pending = 0;
    }
    from = end;
  }
  const since = lastFired === null ? null : n - lastFired;
  return {
    detections,
    open: {
      pending: pending + (n - from),
      afterSeq,
      sinceInput: since !== null && since <= 2 * size ? since : null,
    },
  };
}

/**
 * Every window that closes in this batch. The window on scores and residual works on each row's
 * random features (computed once for the batch); the one on all dimensions on the vectors. Rows
 * of an open window behind the cursor are read again.
 */
async function runWindows(
  window: NonNullable<StreamingReference["mmdWindow"]>,
  open: { pending: number; afterSeq: number },
  batch: DetectorBatch,
  readWindowStart: ReadWindowStart,
) {
  const { seqs, x } = batch;
  const n = seqs.length;
  const d = x.length / Math.max(1, n);
  // Per row: the features (D values) on the window's PCA scores and residual, or the vector (d values).
  const features =
    window.space === "pca-scores+residual"
      ? (batch.windowFeatures ?? window.detector.featuresOfRows(x, n))
      : null;
  const width = window.space === "pca-scores+residual" ? window.detector.profile.features : d;
  const rowsOf = features ?? x;
  const statistic = (values: Float32Array | Float64Array, rows: number) =>
    window.space === "pca-scores+residual"
      ? window.detector.statistic(values as Float64Array, rows)
      : window.detector.statistic(values as Float32Array, rows);
  const detections: Detection[] = [];
  let { pending, afterSeq } = open;
  let from = 0; // the first batch row of the open window
  while (n - from >= window.size - pending) {
    const end = from + window.size - pending; // exclusive
    const before =
      pending > 0 ? await readWindowStart(afterSeq, pending) : { seqs: [], x: new Float32Array(0) };
    const beforeRows =
      window.space === "pca-scores+residual" && before.seqs.length > 0
        ? window.detector.featuresOfRows(before.x, before.seqs.length)
        : before.x;
    const rows = before.seqs.length + (end - from);
    let values = rowsOf.subarray(from * width, end * width);
    if (beforeRows.length > 0) {
      // Only a window that began in an earlier batch is copied together.
      const joined = features ? new Float64Array(rows * width) : new Float32Array(rows * width);
      joined.set(beforeRows);
      joined.set(values, beforeRows.length);
      values = joined;
    }
    const value = rows >= 2 ? statistic(values, rows) : Number.NaN;
    if (value > window.threshold) {
      detections.push({
        category: null,
        signal: "mmd",
        index: end - 1,
        seq: seqs[end - 1] as number,
        windowFromSeq: (before.seqs[0] ?? seqs[from]) as number,
        statistic: value,
        threshold: window.threshold,
        alpha: window.alpha,
        rows,
        space: window.space,
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
    quality: reference.quality ? { pending: 0, afterSeq: lastSeq, sinceInput: null } : null,
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
