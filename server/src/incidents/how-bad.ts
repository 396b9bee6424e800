/**
 * @module
 * An incident's "how bad", in words and numbers a face-recognition engineer can check: the largest
 * PC1 shift in the reference's σ, how many components the batch checks flagged and how far, the
 * MMD² against its threshold, the kNN novelty rate, the verification AUC against its minimum, the
 * share of attempts that found no face, and the predicted AUC drop when a detector gives one. Pure: it reads the findings' stored numbers
 * (`alerts.payload.numbers`, as `alerts/record.ts` writes them).
 */
import type { AlertNumbers } from "../alerts/types.ts";

export interface FindingNumbers {
  detector: string;
  payload: Record<string, unknown>;
}

const fixed = (value: number, digits: number) => value.toFixed(digits);
const pValue = (p: number) => (p < 1e-3 ? "p < 0.001" : `p = ${p.toFixed(3)}`);
const signed = (value: number) => `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(2)}`;

/** One line per kind of evidence, the strongest of each; empty when the findings carry no numbers. */
export function howBad(findings: readonly FindingNumbers[]): string[] {
  const numbers = (f: FindingNumbers) => (f.payload.numbers ?? {}) as AlertNumbers;
  const kind = (f: FindingNumbers) => (typeof f.payload.kind === "string" ? f.payload.kind : f.detector);
  const lines: string[] = [];

  const shifts = findings
    .filter((f) => kind(f) === "pc1")
    .map((f) => numbers(f).extra?.["PC1 shift (reference σ)"])
    .filter((v): v is number => typeof v === "number");
  if (shifts.length > 0) {
    const worst = shifts.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a));
    lines.push(`PC1 mean moved ${signed(worst)} σ of the reference (ADWIN)`);
  }

  // Face quality (issue 12's quality window): the signals that moved, each in the reference's σ.
  const quality = new Map<string, number>();
  for (const f of findings.filter((f) => kind(f) === "quality")) {
    for (const [label, value] of Object.entries(numbers(f).extra ?? {})) {
      const signal = /^(.+) shift \(reference σ\)$/.exec(label)?.[1];
      if (signal && signal !== "PC1" && Math.abs(value) > Math.abs(quality.get(signal) ?? 0))
        quality.set(signal, value);
    }
  }
  if (quality.size > 0) {
    const moved = [...quality].sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
    lines.push(
      `Face quality moved: ${moved.map(([signal, value]) => `${signal} ${signed(value)} σ`).join(", ")} of the reference`,
    );
  }

  const windows = findings.filter((f) => kind(f) === "mmd").map(numbers);
  if (windows.length > 0) {
    const ratios = windows
      .map((n) => n.extra?.["MMD² / threshold"])
      .filter((v): v is number => typeof v === "number");
    const worst = ratios.length > 0 ? Math.max(...ratios) : null;
    // The window fits its reference (500 embeddings, fewer for a small reference: `mmd-window.ts`).
    const sizes = windows
      .map((n) => n.extra?.["embeddings in the window"])
      .filter((v): v is number => typeof v === "number");
    const [least, most] = sizes.length > 0 ? [Math.min(...sizes), Math.max(...sizes)] : [null, null];
    const size = least === null ? "" : ` of ${least === most ? least : `${least}–${most}`} embeddings`;
    lines.push(
      `${windows.length} streaming window${windows.length === 1 ? "" : "s"}${size} above the MMD² threshold` +
        (worst === null ? "" : ` (up to ${fixed(worst, 1)}× it)`),
    );
  }

  // By kind: an upload's faces-lost finding is recorded by the batch detector too, with no PSI.
  const batches = findings.filter((f) => kind(f) === "batch").map(numbers);
  if (batches.length > 0) {
    // The run with the most flagged components speaks for the batch checks.
    const worst = batches.reduce((a, b) =>
      (b.flaggedDimensions?.length ?? 0) > (a.flaggedDimensions?.length ?? 0) ? b : a,
    );
    const psi = worst.psi ?? [];
    const flagged = worst.flaggedDimensions ?? [];
    const maxPsi = psi.length > 0 ? Math.max(...psi) : null;
    const parts = [
      `${flagged.length} of ${psi.length} components with PSI ≥ 0.1` +
        (maxPsi === null ? "" : ` (max ${fixed(maxPsi, 2)} on PC${psi.indexOf(maxPsi) + 1})`),
    ];
    if (worst.mmd2 !== undefined) {
      parts.push(
        `MMD² ${worst.mmd2.toPrecision(3)}${worst.pValue === undefined ? "" : `, ${pValue(worst.pValue)}`}`,
      );
    }
    const novelty = worst.extra?.["kNN novelty rate"];
    if (typeof novelty === "number") parts.push(`kNN novelty ${fixed(novelty * 100, 1)} % of the window`);
    lines.push(
      `Batch check${batches.length === 1 ? "" : ` (worst of ${batches.length})`}: ${parts.join("; ")}`,
    );
  }

  const verification = findings.filter((f) => f.detector === "verification").map(numbers);
  if (verification.length > 0) {
    const worst = verification.reduce((a, b) => ((b.auc ?? 1) < (a.auc ?? 1) ? b : a));
    const minimum = worst.extra?.["minimum AUC"];
    if (worst.auc !== undefined) {
      lines.push(
        `Verification AUC ${fixed(worst.auc, 4)}${typeof minimum === "number" ? ` (minimum ${minimum})` : ""} on the labelled pairs`,
      );
    }
  }

  // Faces lost (uploads or extraction reports): the highest failure-to-extract rate and its baseline.
  const lost = findings
    .filter((f) => kind(f) === "faces-lost" || kind(f) === "faces-lost-stream")
    .map((f) => {
      const extra = numbers(f).extra ?? {};
      const now =
        extra["failure-to-extract rate (since the change)"] ?? extra["failure-to-extract rate (batch)"];
      const before = extra["failure-to-extract rate (before)"];
      return typeof now === "number" && typeof before === "number" ? { now, before } : null;
    })
    .filter((v): v is { now: number; before: number } => v !== null);
  if (lost.length > 0) {
    const worst = lost.reduce((a, b) => (b.now > a.now ? b : a));
    const pct = (x: number) => `${fixed(100 * x, 1)} %`;
    lines.push(
      `No face found in ${pct(worst.now)} of the attempts since the change (before: ${pct(worst.before)})`,
    );
  }

  const impacts = findings
    .map((f) => f.payload.impact as { deltaAuc?: unknown; error?: unknown } | undefined)
    .filter(
      (i): i is { deltaAuc: number; error: number } =>
        typeof i?.deltaAuc === "number" && typeof i.error === "number",
    );
  if (impacts.length > 0) {
    const worst = impacts.reduce((a, b) => (b.deltaAuc > a.deltaAuc ? b : a));
    lines.push(`Predicted verification AUC drop ${fixed(worst.deltaAuc, 3)} ± ${fixed(worst.error, 3)}`);
  }
  return lines;
}
