/**
 * @module
 * The benchmark's streams as a client that reports its extraction attempts would send them
 * (`extraction: { attempted, no_face }` with each batch): the same clean-then-changed order of
 * photos, each attempt a photo the pipeline ran on, with or without a face, fed to the product's
 * faces-lost detector (`stepExtraction`, what the worker runs on a stream's reports). A change
 * that loses every face (pixelate-strong) leaves the embedding statistics nothing to test; this is
 * the detector that still sees it, and the page reports it beside them.
 *
 * Attempts are drawn without replacement while the photo list lasts, as the embedding streams
 * are; a report carries REPORT_ATTEMPTS attempts (a client reporting per batch of frames).
 */
import {
  type ExtractionFinding,
  emptyExtractionState,
  inputSeverity,
  seededRng,
  stepExtraction,
} from "@facedrift/stats";

/** Attempts per report: a batch of frames, smaller than the detector's blocks of 200. */
export const REPORT_ATTEMPTS = 50;

/** Photos a stream's attempts are drawn from, and which of them the pipeline finds no face in. */
export interface AttemptPool {
  images: readonly string[];
  noFace: ReadonlySet<string>;
}

export interface FacesLostOutcome {
  /** Replicates with a faces-lost finding within the changed part, and its delay in attempts. */
  caught: number;
  replicates: number;
  delays: number[];
  /** The rise each caught replicate's first finding states (its predicted ΔAUC). */
  stated: number[];
  severities: string[];
  /** Findings in the clean part (false alarms). */
  cleanFindings: number;
}

/** `count` attempts from `pool`, as no-face flags, without replacement while the list lasts. */
function attempts(pool: AttemptPool, count: number, rng: () => number): boolean[] {
  const out: boolean[] = [];
  while (out.length < count) {
    const order = [...pool.images];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j] as string, order[i] as string];
    }
    for (const image of order.slice(0, count - out.length)) out.push(pool.noFace.has(image));
  }
  return out;
}

/** The detector over one stream of attempts: each finding and the attempts counted when it was reported. */
export function runAttempts(flags: readonly boolean[]): { finding: ExtractionFinding; at: number }[] {
  let state = emptyExtractionState();
  const found: { finding: ExtractionFinding; at: number }[] = [];
  for (let from = 0, seq = 1; from < flags.length; from += REPORT_ATTEMPTS, seq++) {
    const part = flags.slice(from, from + REPORT_ATTEMPTS);
    const step = stepExtraction(state, {
      seq,
      attempted: part.length,
      noFace: part.filter(Boolean).length,
    });
    state = step.state;
    if (step.finding) found.push({ finding: step.finding, at: from + part.length });
  }
  return found;
}

/** `replicates` streams of `cleanAttempts` clean then `changedAttempts` changed attempts. */
export function facesLostOutcome(
  clean: AttemptPool,
  changed: AttemptPool,
  cleanAttempts: number,
  changedAttempts: number,
  replicates: number,
  seed: number,
): FacesLostOutcome {
  const rng = seededRng(seed);
  const out: FacesLostOutcome = {
    caught: 0,
    replicates,
    delays: [],
    stated: [],
    severities: [],
    cleanFindings: 0,
  };
  for (let r = 0; r < replicates; r++) {
    const flags = [...attempts(clean, cleanAttempts, rng), ...attempts(changed, changedAttempts, rng)];
    const found = runAttempts(flags);
    out.cleanFindings += found.filter((f) => f.at <= cleanAttempts).length;
    const first = found.find((f) => f.at > cleanAttempts);
    if (first) {
      out.caught++;
      out.delays.push(first.at - cleanAttempts);
      out.stated.push(first.finding.predictedDeltaAuc);
      out.severities.push(inputSeverity({ deltaAuc: first.finding.predictedDeltaAuc }));
    }
  }
  return out;
}

/** Faces-lost findings on long clean streams: false alarms per 10,000 attempts. */
export function facesLostFalseAlarms(
  clean: AttemptPool,
  streams: number,
  length: number,
  seed: number,
): { attempts: number; findings: number; per10k: number } {
  const rng = seededRng(seed);
  let findings = 0;
  for (let s = 0; s < streams; s++) findings += runAttempts(attempts(clean, length, rng)).length;
  const total = streams * length;
  return { attempts: total, findings, per10k: (findings * 1e4) / total };
}
