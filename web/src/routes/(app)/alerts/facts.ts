/**
 * @module
 * The few numbers worth showing for a finding (an alert row) on an incident's timeline, read from
 * its stored payload (`numbers`, as every channel formats them: `server/src/alerts/types.ts`), in
 * a fixed order and notation, and the words for severities, statuses and finding kinds.
 */
import type { Alert } from "$lib/api/alerts.ts";

export interface Fact {
  label: string;
  value: string;
}

interface Numbers {
  pc1MeanBefore?: number;
  pc1MeanAfter?: number;
  psi?: number[];
  flaggedDimensions?: number[];
  ksStatistic?: number;
  mmd2?: number;
  pValue?: number;
  auc?: number;
  extra?: Record<string, number>;
}

const fixed = (value: number, digits: number) => value.toFixed(digits);
/** p-values and MMD² span orders of magnitude: small ones in exponent notation. */
const small = (value: number) =>
  value !== 0 && Math.abs(value) < 1e-3 ? value.toExponential(1) : fixed(value, 4);

export function alertFacts(alert: Alert): Fact[] {
  const numbers = (alert.payload.numbers ?? {}) as Numbers;
  const facts: Fact[] = [];
  if (numbers.pc1MeanBefore !== undefined && numbers.pc1MeanAfter !== undefined) {
    facts.push({
      label: "PC1 mean",
      value: `${fixed(numbers.pc1MeanBefore, 3)} → ${fixed(numbers.pc1MeanAfter, 3)}`,
    });
  }
  if (numbers.psi && numbers.psi.length > 0) {
    const max = Math.max(...numbers.psi);
    facts.push({ label: "max PSI", value: `${fixed(max, 3)} (PC${numbers.psi.indexOf(max) + 1})` });
  }
  if (numbers.flaggedDimensions && numbers.psi) {
    facts.push({
      label: "PSI ≥ 0.1",
      value: flaggedList(numbers.flaggedDimensions, numbers.psi.length),
    });
  }
  if (numbers.ksStatistic !== undefined)
    facts.push({ label: "max KS", value: fixed(numbers.ksStatistic, 3) });
  if (numbers.mmd2 !== undefined) facts.push({ label: "MMD²", value: small(numbers.mmd2) });
  if (numbers.pValue !== undefined) facts.push({ label: "p", value: pValue(numbers.pValue) });
  if (numbers.auc !== undefined) facts.push({ label: "AUC", value: fixed(numbers.auc, 4) });
  for (const [label, value] of Object.entries(numbers.extra ?? {})) {
    facts.push({ label, value: Number.isInteger(value) ? String(value) : fixed(value, 3) });
  }
  return facts;
}

/**
 * A permutation p-value cannot go below 1/(P+1): under 0.001 it reads "< 0.001", never
 * 0.000999000999….
 */
export function pValue(value: number): string {
  return value < 1e-3 ? "< 0.001" : value.toFixed(3);
}

/** A few components by name; past four, how many of how many, so the card stays short. */
function flaggedList(flagged: number[], total: number): string {
  if (flagged.length === 0) return "none";
  const names = flagged.map((dim) => `PC${dim + 1}`);
  return names.length <= 4
    ? names.join(", ")
    : `${flagged.length} of ${total}: ${names.slice(0, 3).join(", ")}, …`;
}

export const SEVERITY_BADGE: Record<Alert["severity"], string> = {
  critical: "bad",
  warning: "warn",
  info: "muted",
};

/** The server's words for each finding kind (`server/src/incidents/snapshot.ts`; a test keeps them equal). */
const KIND_LABEL: Record<string, string> = {
  pc1: "PC1 shift (ADWIN)",
  residual: "PCA residual shift (ADWIN)",
  mmd: "MMD² window",
  batch: "batch check (PSI/KS/MMD)",
  verification: "verification AUC",
  quality: "face quality (size, brightness, sharpness, detector score)",
  "faces-lost": "faces lost (image uploads)",
  "faces-lost-stream": "faces lost (extraction reports)",
};

/** Which detector found it, by the finding's kind (`payload.kind`), else its detector. */
export function findingLabel(alert: Pick<Alert, "detector" | "payload">): string {
  const kind = typeof alert.payload.kind === "string" ? alert.payload.kind : alert.detector;
  const signal = typeof alert.payload.signal === "string" ? alert.payload.signal : null;
  return KIND_LABEL[kind] ?? (signal ? (KIND_LABEL[signal] ?? signal) : kind);
}
