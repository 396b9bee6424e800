/**
 * @module
 * The one severity scale (info < warning < critical) and how an incident's severity follows from
 * its findings. Pure: state in, state and the transition to notify out. The scale, per finding
 * kind, is documented in docs/incidents.md; a test keeps that table and `FINDING_SEVERITY` equal.
 *
 * - A finding's severity is what its detector says, except that a `population` finding (who is in
 *   front of the camera changed, not how faces reach the model) is never above info.
 * - An incident's severity is the highest of its findings'; it never goes down while the incident
 *   lives, so an escalation cannot be undone by a milder finding.
 * - Channels hear of an incident once its severity reaches the stream's notify threshold (default
 *   warning): `opened` the first time, `escalated` each time it passes what they were last told.
 */
import type { AlertSeverity } from "../db/schema/alert.ts";
import type { FindingCategory, IncidentTransition } from "../db/schema/incident.ts";

export const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

/** The severity each detector gives its findings, for docs/incidents.md (checked by a test). */
export const FINDING_SEVERITY: Record<string, { severity: AlertSeverity; when: string }> = {
  pc1: { severity: "warning", when: "ADWIN on the first principal component detects a change in mean" },
  residual: { severity: "warning", when: "ADWIN on the PCA residual detects a change in mean" },
  mmd: {
    severity: "warning",
    when: "MMD² of a streaming window (500 embeddings; on a small reference, half its rows outside the MMD sample) is above its calibrated threshold",
  },
  batch: {
    severity: "warning",
    when: "a batch check confirms drift with fewer than 3 components flagged (severity low)",
  },
  "batch-high": {
    severity: "critical",
    when: "a batch check confirms drift with 3 or more components flagged (severity high)",
  },
  verification: {
    severity: "critical",
    when: "the verification AUC on the labelled set is below the minimum",
  },
  quality: {
    severity: "warning",
    when: "the quality window finds an input change predicted to cost less than 0.01 AUC (or with no harm model for the embedder)",
  },
  "quality-costly": {
    severity: "critical",
    when: "the quality window finds an input change predicted to cost 0.01 AUC or more",
  },
  "embedding-costly": {
    severity: "critical",
    when: "without quality signals, a PC1, residual or MMD finding whose faces lost identity detail (the detail test), predicted by the embedder's embedding-only harm model to cost 0.01 AUC or more (its title states the cost)",
  },
  "faces-lost": {
    severity: "warning",
    when: "an image batch finds no face in more photos than before (Fisher's exact test, α = 0.001), the failure-to-extract rate up by less than 0.01",
  },
  "faces-lost-costly": {
    severity: "critical",
    when: "an image batch finds no face in more photos than before, the failure-to-extract rate up by 0.01 or more (that much AUC when failures count)",
  },
  "faces-lost-stream": {
    severity: "warning",
    when: "a stream's extraction reports show more attempts without a face than before (the last 200 or 1,000 attempts against the 2,000 before, Fisher's exact test, α = 0.0005 each), the failure-to-extract rate up by less than 0.01",
  },
  "faces-lost-stream-costly": {
    severity: "critical",
    when: "a stream's extraction reports show more attempts without a face than before, the failure-to-extract rate up by 0.01 or more (its title states the cost)",
  },
};

export function maxSeverity(a: AlertSeverity, b: AlertSeverity): AlertSeverity {
  return SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a;
}

/** A population finding is informational whatever its detector says (issue 12: who, not how). */
export function findingSeverity(finding: { severity: AlertSeverity; category?: FindingCategory | null }) {
  return finding.category === "population" ? "info" : finding.severity;
}

/** What an incident holds that its findings change. */
export interface IncidentState {
  severity: AlertSeverity;
  notifiedSeverity: AlertSeverity | null;
  category: FindingCategory | null;
  detectors: string[];
  findingCount: number;
  windowFrom: Date;
  windowTo: Date;
}

export interface Finding {
  severity: AlertSeverity;
  category?: FindingCategory | null;
  /** The finding kind: `pc1`, `residual`, `mmd`, `batch`, `verification`, or a newer detector's. */
  kind: string;
  window: { from: Date; to: Date };
}

/**
 * Adds one finding to an incident (`null`: none is active, so the finding opens one) and says
 * which transition, if any, channels should hear about. `notifyFrom` is the least severity that
 * notifies.
 *
 * @example
 * ```ts
 * let { state, transition } = addFinding(null, pc1Warning, "warning"); // transition "opened"
 * ({ state, transition } = addFinding(state, mmdWarning, "warning")); // null: same episode, same severity
 * ({ state, transition } = addFinding(state, batchCritical, "warning")); // "escalated"
 * ```
 */
export function addFinding(
  current: IncidentState | null,
  finding: Finding,
  notifyFrom: AlertSeverity,
): { state: IncidentState; transition: Exclude<IncidentTransition, "resolved"> | null } {
  const severity = findingSeverity(finding);
  const state: IncidentState = current
    ? {
        severity: maxSeverity(current.severity, severity),
        notifiedSeverity: current.notifiedSeverity,
        category: mergeCategory(current.category, finding.category ?? null),
        detectors: current.detectors.includes(finding.kind)
          ? current.detectors
          : [...current.detectors, finding.kind],
        findingCount: current.findingCount + 1,
        windowFrom: earlier(current.windowFrom, finding.window.from),
        windowTo: later(current.windowTo, finding.window.to),
      }
    : {
        severity,
        notifiedSeverity: null,
        category: finding.category ?? null,
        detectors: [finding.kind],
        findingCount: 1,
        windowFrom: finding.window.from,
        windowTo: finding.window.to,
      };
  if (SEVERITY_RANK[state.severity] < SEVERITY_RANK[notifyFrom]) return { state, transition: null };
  if (state.notifiedSeverity === null) {
    return { state: { ...state, notifiedSeverity: state.severity }, transition: "opened" };
  }
  if (SEVERITY_RANK[state.severity] > SEVERITY_RANK[state.notifiedSeverity]) {
    return { state: { ...state, notifiedSeverity: state.severity }, transition: "escalated" };
  }
  return { state, transition: null };
}

/**
 * `input` as soon as one finding is (a pipeline problem outranks a population change); otherwise
 * `population` only while every finding says so; null when any finding does not tell.
 */
export function mergeCategory(
  current: FindingCategory | null,
  next: FindingCategory | null,
): FindingCategory | null {
  if (current === "input" || next === "input") return "input";
  return current === next ? current : null;
}

function earlier(a: Date, b: Date): Date {
  return b.getTime() < a.getTime() ? b : a;
}

function later(a: Date, b: Date): Date {
  return b.getTime() > a.getTime() ? b : a;
}
