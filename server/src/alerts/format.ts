/**
 * How alert numbers read to a person. Every channel that shows numbers uses `describeNumbers`,
 * so Slack, e-mail and push agree on labels, order and rounding.
 */
import type { AlertEvent, AlertNumbers } from "./types.ts";

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

/** A one-line summary for push bodies and plain-text fallbacks. */
export function summaryLine(alert: AlertEvent): string {
  const numbers = describeNumbers(alert.numbers)
    .slice(0, 3)
    .map((line) => `${line.label} ${line.value}`);
  return [`${alert.stream} · ${alert.detector}`, ...numbers].join(" · ");
}

/** The alert as JSON-safe data (dates as ISO strings), for webhook bodies. */
export function alertToJson(alert: AlertEvent) {
  return {
    id: alert.id,
    tenantId: alert.tenantId,
    stream: alert.stream,
    detector: alert.detector,
    severity: alert.severity,
    createdAt: alert.createdAt.toISOString(),
    title: alert.title,
    numbers: alert.numbers,
    window: { from: alert.window.from.toISOString(), to: alert.window.to.toISOString() },
    dashboardUrl: alert.dashboardUrl,
  };
}

function fixed(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 1e-3 || value === 0 ? value.toFixed(4) : value.toExponential(2);
}

function pValue(value: number): string {
  return value < 1e-3 ? value.toExponential(2) : value.toFixed(4);
}

function topPsi(psi: number[]): string {
  const ranked = psi.map((value, dim) => ({ value, dim })).sort((a, b) => b.value - a.value);
  const shown = ranked.slice(0, MAX_PSI_SHOWN).map(({ dim, value }) => `d${dim} ${fixed(value)}`);
  return psi.length > MAX_PSI_SHOWN ? `${shown.join(", ")} (of ${psi.length})` : shown.join(", ");
}
