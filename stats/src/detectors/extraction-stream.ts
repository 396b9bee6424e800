/**
 * @module
 * Faces lost in a stream of embeddings: the streaming sibling of `face-loss.ts`. A client that
 * sends embeddings from its own pipeline may report, per batch, how many images or frames it tried
 * and how many yielded no face. When a change defeats the detector (strong pixelation, a lens cap,
 * a broken decode step) the embeddings simply stop, and no detector that watches embeddings can
 * fire; these counts are what still moves.
 *
 * Reports are gathered into blocks of at least {@link EXTRACTION_BLOCK_ATTEMPTS} attempts (a report
 * is never split, so a block may be larger). When a block closes, two windows ending with it are
 * each compared with the attempts just before them by `faceLossTest` (Fisher's exact test,
 * one-sided):
 *
 * - the block itself (200 attempts) against the 2,000 attempts before it: a jump such as
 *   2 % → 60 % gives p < 1e-60 on a whole block, so it fires within two blocks (≤ 400 attempts,
 *   plus a report's size) of where it starts, however the block boundaries fall;
 * - the last {@link EXTRACTION_LONG_ATTEMPTS} attempts against the 2,000 before them: smaller
 *   rises (2 % → 5 %, 0 % → 1 %) that one block cannot tell from chance.
 *
 * False alarms: each test runs at α = 0.0005 (0.001, the upload check's level, split over the two
 * windows, Bonferroni), one pair per block, so a stream whose rate does not change raises at most
 * 10,000 / 200 × 0.001 = 0.05 false alarms per 10,000 attempts (Fisher's exact test is
 * conservative, so fewer: 0.024 at a steady 2 % and 0.025 at 30 % in 40 seeded streams of 200,000
 * attempts; the long clean run in the tests counts them), inside issue 12's
 * 0.1 per 10,000 embeddings. After a finding the blocks are dropped: the new level is the next
 * baseline, as ADWIN drops a window's older part, so one change is one finding.
 *
 * The finding's cost is the rise of the failure-to-extract rate from the baseline to the new level.
 * A block fires as soon as a few dozen of its attempts are past the change, so its own average
 * mixes in the attempts before it (2 % → 60 %: 0.25 in the median of 200 seeded runs). So a block
 * that fired is reported one block later (≤ 200 attempts), and the new level is the rate after the
 * likeliest split of the window and that block into an earlier and a later rate (reports kept in
 * parts of at least 25 attempts); the long window, 1,000 attempts, is measured at once. Measured
 * (200 seeded runs each, reports of 1–60 attempts, change after 3,000 attempts): 2 % → 60 %
 * reported after 311 attempts in the median (at most 514), stated rise 0.568 (p10–p90 0.52–0.61);
 * 2 % → 10 %: 476 (at most 825), 0.074; 2 % → 5 % and 0 % → 1 % within 1,000 attempts in 72 %,
 * stated 0.030 and 0.010.
 *
 * The state is plain JSON (kept in the stream's checkpoint by the server) and every step is a
 * function of it and the report: replaying the same reports from a saved state gives the same
 * findings.
 */
import { FACE_LOSS_ALPHA, type FaceLossResult, faceLossTest } from "./face-loss.ts";

/** Attempts per block: the short window. */
export const EXTRACTION_BLOCK_ATTEMPTS = 200;
/** Attempts in the long window (ending with the newest block). */
export const EXTRACTION_LONG_ATTEMPTS = 1_000;
/** Attempts each window is compared with: the ones just before it (as uploads use 2,000 photos). */
export const EXTRACTION_BASELINE_ATTEMPTS = 2_000;
/** Per test; two tests per block. */
export const EXTRACTION_ALPHA = FACE_LOSS_ALPHA / 2;
/** Reports are kept in parts of at least this many attempts, where the change is looked for. */
export const EXTRACTION_PART_ATTEMPTS = 25;
export const EXTRACTION_STATE_FORMAT = 2;

/** One report as the stream received it: its place among the stream's reports and its counts. */
export interface ExtractionReport {
  seq: number;
  /** Images or frames the client's pipeline ran its face detector on. */
  attempted: number;
  /** Of those, how many yielded no face. */
  noFace: number;
}

/** Reports `fromSeq`…`toSeq` summed. */
export interface ExtractionBlock {
  attempted: number;
  noFace: number;
  fromSeq: number;
  toSeq: number;
  /**
   * The same reports in consecutive parts of at least EXTRACTION_PART_ATTEMPTS attempts (a report
   * is never split): `[fromSeq, attempted, noFace]`.
   */
  parts: [number, number, number][];
}

export interface ExtractionStreamState {
  format: typeof EXTRACTION_STATE_FORMAT;
  /** The block still filling (fewer than EXTRACTION_BLOCK_ATTEMPTS attempts), or null. */
  open: ExtractionBlock | null;
  /** Closed blocks, oldest first: only as many as the next tests can use. */
  blocks: ExtractionBlock[];
  /** Blocks tested since the stream began (or since the state was made). */
  tested: number;
  /** A window that fired, waiting for one more block before its new level is measured. */
  pending: ExtractionTest | null;
}

/** One window's test against the attempts before it. */
export interface ExtractionTest {
  /** Which window fired: the newest block, or the long window ending with it. */
  window: "block" | "long";
  /** The test of the whole window against its baseline. */
  result: FaceLossResult;
  /** Report seqs of the window under test and of its baseline. */
  fromSeq: number;
  toSeq: number;
  baselineFromSeq: number;
}

/**
 * A window that fired, reported one block later: `toSeq` is then the end of that block, and the
 * new level is measured over the window and the block.
 */
export interface ExtractionFinding extends ExtractionTest {
  /**
   * Where in the window the rate most likely rose (the report seq that starts the likeliest
   * two-rate split of the window's parts), and the rate since then: the new level.
   */
  since: { seq: number; attempts: number; noFace: number; rate: number };
  /**
   * Rise of the failure-to-extract rate from the baseline to the new level: the predicted ΔAUC
   * (failures count as failed comparisons), with its sampling error (one standard error).
   */
  predictedDeltaAuc: number;
  error: number;
}

export function emptyExtractionState(): ExtractionStreamState {
  return { format: EXTRACTION_STATE_FORMAT, open: null, blocks: [], tested: 0, pending: null };
}

/** A checkpointed state, or a fresh one when there is none or it is of another format. */
export function extractionStateFrom(saved: unknown): ExtractionStreamState {
  const s = saved as Partial<ExtractionStreamState> | null | undefined;
  if (!s || s.format !== EXTRACTION_STATE_FORMAT || !Array.isArray(s.blocks)) return emptyExtractionState();
  return {
    format: EXTRACTION_STATE_FORMAT,
    open: s.open ? copyBlock(s.open) : null,
    blocks: s.blocks.map(copyBlock),
    tested: Number(s.tested ?? 0),
    pending: s.pending ? { ...s.pending } : null,
  };
}

const copyBlock = (b: ExtractionBlock): ExtractionBlock => ({
  ...b,
  parts: b.parts.map((p) => [...p] as [number, number, number]),
});

/**
 * Adds one report; when it closes a block, tests the block and the long window. Returns the new
 * state (the input is not changed) and the finding, if either window fired (the larger rise when
 * both did).
 *
 * @example
 * let state = emptyExtractionState();
 * let seq = 0;
 * for (let i = 0; i < 20; i++) state = stepExtraction(state, { seq: ++seq, attempted: 100, noFace: 2 }).state;
 * stepExtraction(state, { seq: ++seq, attempted: 200, noFace: 120 }).finding?.window; // "block"
 */
export function stepExtraction(
  previous: ExtractionStreamState,
  report: ExtractionReport,
): { state: ExtractionStreamState; finding: ExtractionFinding | null } {
  const { attempted, noFace, seq } = report;
  if (!Number.isInteger(attempted) || !Number.isInteger(noFace) || noFace < 0 || noFace > attempted)
    throw new RangeError(`noFace must be an integer between 0 and attempted (${noFace} of ${attempted})`);
  const state = extractionStateFrom(previous);
  if (attempted === 0) return { state, finding: null };
  const open: ExtractionBlock = state.open
    ? {
        attempted: state.open.attempted + attempted,
        noFace: state.open.noFace + noFace,
        fromSeq: state.open.fromSeq,
        toSeq: seq,
        parts: addPart(state.open.parts, seq, attempted, noFace),
      }
    : { attempted, noFace, fromSeq: seq, toSeq: seq, parts: [[seq, attempted, noFace]] };
  if (open.attempted < EXTRACTION_BLOCK_ATTEMPTS) return { state: { ...state, open }, finding: null };

  const blocks = [...state.blocks, open];
  const newest = blocks.length - 1;
  if (state.pending) {
    // One block after the window fired: measure the new level over both and report.
    const finding = measured(state.pending, blocks);
    // The new level starts the next baseline.
    return { state: { ...emptyExtractionState(), tested: state.tested }, finding };
  }
  const fired: ExtractionTest[] = [];
  const short = testWindow(blocks, newest, "block");
  if (short?.result.fired) fired.push(short);
  // The long window: the newest blocks that hold EXTRACTION_LONG_ATTEMPTS; only once full, and
  // only when it is more than the newest block (a report that large is tested as a block).
  const longStart = startCovering(blocks, newest, EXTRACTION_LONG_ATTEMPTS);
  if (longStart !== null && longStart < newest) {
    const long = testWindow(blocks, longStart, "long");
    if (long?.result.fired) fired.push(long);
  }
  const first =
    fired.length === 0
      ? null
      : fired.reduce((a, b) => (b.result.predictedDeltaAuc > a.result.predictedDeltaAuc ? b : a));
  // The long window holds 1,000 attempts, enough to measure the new level at once (and a rise
  // small enough for only it to fire is late already); a block fires on a few attempts past the change.
  if (first?.window === "long") {
    return {
      state: { ...emptyExtractionState(), tested: state.tested + 1 },
      finding: measured(first, blocks),
    };
  }
  const pending = first;
  // Keep only what the next block's tests can reach: its long window and that window's baseline
  // (which holds a pending window too: it lies within the last 1,000 attempts).
  const keepFrom = startCovering(blocks, newest, EXTRACTION_LONG_ATTEMPTS + EXTRACTION_BASELINE_ATTEMPTS);
  return {
    state: {
      format: EXTRACTION_STATE_FORMAT,
      open: null,
      blocks: keepFrom === null ? blocks : blocks.slice(keepFrom),
      tested: state.tested + 1,
      pending,
    },
    finding: null,
  };
}

function addPart(
  parts: readonly [number, number, number][],
  seq: number,
  attempted: number,
  noFace: number,
): [number, number, number][] {
  const out = parts.map((p) => [...p] as [number, number, number]);
  const last = out[out.length - 1];
  if (last && last[1] < EXTRACTION_PART_ATTEMPTS) {
    last[1] += attempted;
    last[2] += noFace;
  } else {
    out.push([seq, attempted, noFace]);
  }
  return out;
}

/** Log-likelihood of `k` of `n` at their own rate (0 log 0 = 0). */
function binomialLogLik(k: number, n: number): number {
  if (n === 0) return 0;
  const p = k / n;
  return (k > 0 ? k * Math.log(p) : 0) + (n - k > 0 ? (n - k) * Math.log(1 - p) : 0);
}

/**
 * Log-likelihood two rates must gain over one before the window is split (2 × 5 = 10, χ²₁
 * p ≈ 0.002 at one boundary): on a window at one level the split would only chase noise.
 */
const SPLIT_MIN_GAIN = 5;

/**
 * The likeliest split of the window's parts into an earlier and a later rate (maximum likelihood
 * over every part boundary; none unless it gains SPLIT_MIN_GAIN). A window that fired because a change began inside it has its average
 * diluted by the attempts before the change; the later side is the level after it.
 */
function newLevel(parts: readonly [number, number, number][]): ExtractionFinding["since"] {
  let total = 0;
  let lost = 0;
  for (const [, a, k] of parts) {
    total += a;
    lost += k;
  }
  let best = { index: 0, logLik: binomialLogLik(lost, total) };
  let beforeN = 0;
  let beforeK = 0;
  for (let j = 1; j < parts.length; j++) {
    const [, a, k] = parts[j - 1] as [number, number, number];
    beforeN += a;
    beforeK += k;
    const logLik = binomialLogLik(beforeK, beforeN) + binomialLogLik(lost - beforeK, total - beforeN);
    if (logLik > best.logLik) best = { index: j, logLik };
  }
  // Two rates always fit at least as well as one: split only when they fit clearly better.
  if (best.logLik - binomialLogLik(lost, total) < SPLIT_MIN_GAIN) best = { index: 0, logLik: best.logLik };
  let attempts = 0;
  let noFace = 0;
  for (let j = best.index; j < parts.length; j++) {
    const [, a, k] = parts[j] as [number, number, number];
    attempts += a;
    noFace += k;
  }
  return {
    seq: (parts[best.index] as [number, number, number])[0],
    attempts,
    noFace,
    rate: noFace / attempts,
  };
}

/** Index of the latest block such that blocks[index..end] hold at least `attempts`; null if none. */
function startCovering(blocks: readonly ExtractionBlock[], end: number, attempts: number): number | null {
  let sum = 0;
  for (let i = end; i >= 0; i--) {
    sum += (blocks[i] as ExtractionBlock).attempted;
    if (sum >= attempts) return i;
  }
  return null;
}

/** Blocks `start`…newest against the blocks before them, up to EXTRACTION_BASELINE_ATTEMPTS. */
function testWindow(
  blocks: readonly ExtractionBlock[],
  start: number,
  window: ExtractionTest["window"],
): ExtractionTest | null {
  if (start === 0) return null;
  const sum = (from: number, to: number) => {
    let attempted = 0;
    let noFace = 0;
    for (let i = from; i <= to; i++) {
      attempted += (blocks[i] as ExtractionBlock).attempted;
      noFace += (blocks[i] as ExtractionBlock).noFace;
    }
    return { photos: attempted, lost: noFace };
  };
  const baselineStart = startCovering(blocks, start - 1, EXTRACTION_BASELINE_ATTEMPTS) ?? 0;
  return {
    window,
    result: faceLossTest(sum(baselineStart, start - 1), sum(start, blocks.length - 1), EXTRACTION_ALPHA),
    fromSeq: (blocks[start] as ExtractionBlock).fromSeq,
    toSeq: (blocks[blocks.length - 1] as ExtractionBlock).toSeq,
    baselineFromSeq: (blocks[baselineStart] as ExtractionBlock).fromSeq,
  };
}

/** The finding of a window that fired, its new level measured over the window and the blocks since. */
function measured(test: ExtractionTest, blocks: readonly ExtractionBlock[]): ExtractionFinding {
  const after = blocks.filter((b) => b.fromSeq >= test.fromSeq);
  const parts = after.flatMap((b) => b.parts);
  const whole = parts.reduce(
    (s, [seq, a, k]) => ({ seq: Math.min(s.seq, seq), attempts: s.attempts + a, noFace: s.noFace + k }),
    { seq: test.fromSeq, attempts: 0, noFace: 0 },
  );
  const split = newLevel(parts);
  // A rate that rose and fell again: the average since the window began is the level.
  const since =
    split.rate * whole.attempts >= whole.noFace ? split : { ...whole, rate: whole.noFace / whole.attempts };
  const before = test.result.before;
  const error = Math.sqrt(
    (since.rate * (1 - since.rate)) / since.attempts + (before.rate * (1 - before.rate)) / before.photos,
  );
  return {
    ...test,
    toSeq: (after[after.length - 1] as ExtractionBlock).toSeq,
    since,
    predictedDeltaAuc: Math.max(0, since.rate - before.rate),
    error,
  };
}
