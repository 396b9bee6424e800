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
 *   2 % → 60 % gives p < 1e-60 at once, so it is caught within two blocks (≤ 400 attempts, plus a
 *   report's size) of where it starts, however the block boundaries fall;
 * - the last {@link EXTRACTION_LONG_ATTEMPTS} attempts against the 2,000 before them: smaller
 *   rises (2 % → 5 %, 0 % → 1 %) that one block cannot tell from chance, within 1,000 attempts.
 *
 * False alarms: each test runs at α = 0.0005 (0.001, the upload check's level, split over the two
 * windows, Bonferroni), one pair per block, so a stream whose rate does not change raises at most
 * 10,000 / 200 × 0.001 = 0.05 false alarms per 10,000 attempts (Fisher's exact test is
 * conservative, so fewer: the seeded long clean run in the tests counts them), inside issue 12's
 * 0.1 per 10,000 embeddings. After a finding the blocks are dropped: the new level is the next
 * baseline, as ADWIN drops a window's older part, so one change is one finding.
 *
 * The finding's cost is the rise of the failure-to-extract rate over the window that fired. When
 * the change began inside that window it is averaged with the attempts before the change, so it
 * is a lower bound (2 % → 60 %: 0.25 in the median of 200 seeded runs, never under 0.01).
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
export const EXTRACTION_STATE_FORMAT = 1;

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
}

export interface ExtractionStreamState {
  format: typeof EXTRACTION_STATE_FORMAT;
  /** The block still filling (fewer than EXTRACTION_BLOCK_ATTEMPTS attempts), or null. */
  open: ExtractionBlock | null;
  /** Closed blocks, oldest first: only as many as the next tests can use. */
  blocks: ExtractionBlock[];
  /** Blocks tested since the stream began (or since the state was made). */
  tested: number;
}

export interface ExtractionFinding {
  /** Which window fired: the newest block, or the long window ending with it. */
  window: "block" | "long";
  result: FaceLossResult;
  /** Report seqs of the window under test and of its baseline. */
  fromSeq: number;
  toSeq: number;
  baselineFromSeq: number;
}

export function emptyExtractionState(): ExtractionStreamState {
  return { format: EXTRACTION_STATE_FORMAT, open: null, blocks: [], tested: 0 };
}

/** A checkpointed state, or a fresh one when there is none or it is of another format. */
export function extractionStateFrom(saved: unknown): ExtractionStreamState {
  const s = saved as Partial<ExtractionStreamState> | null | undefined;
  if (!s || s.format !== EXTRACTION_STATE_FORMAT || !Array.isArray(s.blocks)) return emptyExtractionState();
  return {
    format: EXTRACTION_STATE_FORMAT,
    open: s.open ? { ...s.open } : null,
    blocks: s.blocks.map((b) => ({ ...b })),
    tested: Number(s.tested ?? 0),
  };
}

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
        ...state.open,
        attempted: state.open.attempted + attempted,
        noFace: state.open.noFace + noFace,
        toSeq: seq,
      }
    : { attempted, noFace, fromSeq: seq, toSeq: seq };
  if (open.attempted < EXTRACTION_BLOCK_ATTEMPTS) return { state: { ...state, open }, finding: null };

  const blocks = [...state.blocks, open];
  const newest = blocks.length - 1;
  const fired: ExtractionFinding[] = [];
  const short = testWindow(blocks, newest, "block");
  if (short?.result.fired) fired.push(short);
  // The long window: the newest blocks that hold EXTRACTION_LONG_ATTEMPTS; only once full, and
  // only when it is more than the newest block (a report that large is tested as a block).
  const longStart = startCovering(blocks, newest, EXTRACTION_LONG_ATTEMPTS);
  if (longStart !== null && longStart < newest) {
    const long = testWindow(blocks, longStart, "long");
    if (long?.result.fired) fired.push(long);
  }
  const tested = state.tested + 1;
  if (fired.length > 0) {
    const finding = fired.reduce((a, b) => (b.result.predictedDeltaAuc > a.result.predictedDeltaAuc ? b : a));
    // The new level starts the next baseline.
    return { state: { format: EXTRACTION_STATE_FORMAT, open: null, blocks: [], tested }, finding };
  }
  // Keep only what the next block's tests can reach: its long window and that window's baseline.
  const keepFrom = startCovering(blocks, newest, EXTRACTION_LONG_ATTEMPTS + EXTRACTION_BASELINE_ATTEMPTS);
  return {
    state: {
      format: EXTRACTION_STATE_FORMAT,
      open: null,
      blocks: keepFrom === null ? blocks : blocks.slice(keepFrom),
      tested,
    },
    finding: null,
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
  window: ExtractionFinding["window"],
): ExtractionFinding | null {
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
  const result = faceLossTest(sum(baselineStart, start - 1), sum(start, blocks.length - 1), EXTRACTION_ALPHA);
  return {
    window,
    result,
    fromSeq: (blocks[start] as ExtractionBlock).fromSeq,
    toSeq: (blocks[blocks.length - 1] as ExtractionBlock).toSeq,
    baselineFromSeq: (blocks[baselineStart] as ExtractionBlock).fromSeq,
  };
}
