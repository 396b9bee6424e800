/**
 * How incidents and their findings read to a person. Every channel uses these, so Slack, e-mail,
 * push and the webhook agree on words, labels, order and rounding.
 */
import { kindLabel } from "../incidents/snapshot.ts";
import type { AlertEvent, AlertNumbers, IncidentNotification } from "./types.ts";

export interface NumberLine {
  label: string;
  value: string;
}

/** PSI arrays can have 512 entries; a message shows the largest few and says how many there were. */
const MAX_PSI_SHOWN = 5;

export function describeNumbers(numbers: AlertNumbers): NumberLine[] {
  const lines: NumberLine[] = [];
  if (numbers.pc1MeanBefore !== undefined && numbers.pc1MeanAfter !== undefined) {
    lines.push({
      label: "PC1 mean",
      value: `${fixed(numbers.pc1MeanBefore)} → ${fixed(numbers.pc1MeanAfter)}`,
    });
  }
  if (numbers.psi && numbers.psi.length > 0) lines.push({ label: "PSI (top)", value: topPsi(numbers.psi) });
  if (numbers.flaggedDimensions && numbers.flaggedDimensions.length > 0) {
    const dims = numbers.flaggedDimensions;
    const shown = dims.slice(0, 10).join(", ");
    lines.push({
      label: "Flagged dimensions",
      value: dims.length > 10 ? `${shown}, … (${dims.length})` : shown,
    });
  }
  if (numbers.ksStatistic !== undefined) lines.push({ label: "KS D", value: fixed(numbers.ksStatistic) });
  if (numbers.mmd2 !== undefined) lines.push({ label: "MMD²", value: fixed(numbers.mmd2) });
  if (numbers.pValue !== undefined) lines.push({ label: "p-value", value: pValue(numbers.pValue) });
  if (numbers.auc !== undefined) lines.push({ label: "AUC", value: fixed(numbers.auc) });
  for (const [label, value] of Object.entries(numbers.extra ?? {}))
    lines.push({ label, value: fixed(value) });
  return lines;
}

/**
 * One line saying what happened to the incident: "Incident #12 opened (WARNING): Drift on lobby:
 * PC1 shift (ADWIN)", "… escalated WARNING → CRITICAL: …", "… resolved: calm for the stream's
 * calm period". Subjects, headers and push titles use it.
 */
export function headline(n: IncidentNotification): string {
  const { incident } = n;
  const severity = incident.severity.toUpperCase();
  switch (n.transition) {
    case "opened":
      return `Incident #${incident.id} opened (${severity}): ${incident.title}`;
    case "escalated":
      return `Incident #${incident.id} escalated ${n.previousSeverity?.toUpperCase() ?? "?"} → ${severity}: ${incident.title}`;
    case "resolved":
      return `Incident #${incident.id} resolved ${incident.resolvedBy === "calm" ? "(no new finding for the calm period)" : `by ${incident.resolvedBy ?? "?"}`}: ${incident.title}`;
  }
}

/** The incident's facts, then the triggering finding's title and numbers. */
export function describeNotification(n: IncidentNotification): NumberLine[] {
  const { incident } = n;
  const findings = `${incident.findingCount} finding${incident.findingCount === 1 ? "" : "s"}`;
  const lines: NumberLine[] = [
    { label: "Stream", value: incident.stream },
    { label: "Severity", value: incident.severity.toUpperCase() },
    { label: "Detectors", value: `${incident.detectors.map(kindLabel).join(", ")} (${findings})` },
    {
      label: "Event time",
      value: `${incident.window.from.toISOString()} – ${incident.window.to.toISOString()}`,
    },
  ];
  if (incident.category) lines.push({ label: "Category", value: incident.category });
  if (incident.impact) {
    lines.push({
      label: "Predicted AUC drop",
      value: `${incident.impact.deltaAuc.toFixed(3)} ± ${incident.impact.error.toFixed(3)}`,
    });
  }
  if (n.finding) {
    lines.push({ label: "Finding", value: n.finding.title });
    lines.push(...describeNumbers(n.finding.numbers));
  }
  return lines;
}

/** A one-line summary for push bodies and plain-text fallbacks. */
export function summaryLine(n: IncidentNotification): string {
  const numbers = n.finding
    ? describeNumbers(n.finding.numbers)
        .slice(0, 3)
        .map((line) => `${line.label} ${line.value}`)
    : [];
  const findings = `${n.incident.findingCount} finding${n.incident.findingCount === 1 ? "" : "s"}`;
  return [`${n.incident.stream} · ${findings}`, ...numbers].join(" · ");
}

/** A finding as JSON-safe data (dates as ISO strings), for webhook bodies. */
export function alertToJson(alert: AlertEvent) {
  return {
    id: alert.id,
    tenantId: alert.tenantId,
    stream: alert.stream,
    detector: alert.detector,
    kind: alert.kind ?? alert.detector,
    severity: alert.severity,
    category: alert.category ?? null,
    impact: alert.impact ?? null,
    createdAt: alert.createdAt.toISOString(),
    title: alert.title,
    numbers: alert.numbers,
    window: { from: alert.window.from.toISOString(), to: alert.window.to.toISOString() },
    dashboardUrl: alert.dashboardUrl,
  };
}

/** A notification as JSON-safe data, for webhook bodies: `incident.id` is the grouping key. */
export function notificationToJson(n: IncidentNotification) {
  const { incident } = n;
  return {
    key: n.key,
    transition: n.transition,
    previousSeverity: n.previousSeverity,
    at: n.at.toISOString(),
    incident: {
      id: incident.id,
      tenantId: incident.tenantId,
      stream: incident.stream,
      status: incident.status,
      severity: incident.severity,
      category: incident.category,
      title: incident.title,
      detectors: incident.detectors,
      findingCount: incident.findingCount,
      openedAt: incident.openedAt.toISOString(),
      resolvedAt: incident.resolvedAt?.toISOString() ?? null,
      resolvedBy: incident.resolvedBy,
      window: { from: incident.window.from.toISOString(), to: incident.window.to.toISOString() },
      impact: incident.impact,
      dashboardUrl: n.dashboardUrl,
    },
    finding: n.finding ? alertToJson(n.finding) : null,
  };
}

function fixed(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 1e-3 || value === 0 ? value.toFixed(4) : value.toExponential(2);
}

/**
 * A permutation test's p-value cannot go below 1/(P+1); anything under 0.001 reads "< 0.001"
 * instead of 0.000999000999… (issue 13: p-values at the permutation floor).
 */
export function pValue(value: number): string {
  return value < 1e-3 ? "< 0.001" : value.toFixed(3);
}

function topPsi(psi: number[]): string {
  const ranked = psi.map((value, dim) => ({ value, dim })).sort((a, b) => b.value - a.value);
  const shown = ranked.slice(0, MAX_PSI_SHOWN).map(({ dim, value }) => `d${dim} ${fixed(value)}`);
  return psi.length > MAX_PSI_SHOWN ? `${shown.join(", ")} (of ${psi.length})` : shown.join(", ");
}
