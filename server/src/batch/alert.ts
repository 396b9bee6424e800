/**
 * @module
 * The `batch` alert of a confirmed drift: one `alerts` row per run, recorded (`alerts/record.ts`) in the same
 * transaction as the run's final numbers, with the cooldown decision (`alerts/rules.ts`) kept in
 * `streams.alert_state` under this detector's own key (the streaming detector keeps its key in the
 * same column, `streaming/alerts.ts`). Dispatch happens after the commit, fire-and-forget.
 */
import type { BatchCheckResult } from "@facedrift/stats";
import { recordAlerts } from "../alerts/record.ts";
import type { AlertEvent, AlertNumbers } from "../alerts/types.ts";
import type { Tx } from "../db/database.ts";
import type { BatchWhoHow } from "./who-how.ts";

export interface BatchAlertInput {
  stream: { id: number; tenantId: number; name: string };
  runId: number;
  reference: { id: number; version: number };
  check: BatchCheckResult;
  novelty: { rate: number; threshold: number } | null;
  /** The run's who-or-how classification (null: treated as a population finding). */
  whoHow: BatchWhoHow | null;
  window: { from: Date; to: Date };
  cooldownMs: number;
  dashboardBaseUrl: string;
}

/** The MMD rule that confirmed: the profile's calibrated threshold, or the permutation p-value. */
function mmdPhrase(mmd: BatchCheckResult["mmd"]): string {
  if (!mmd) return "MMD n/a";
  if (mmd.decision === "threshold" && mmd.threshold !== undefined) {
    return `MMD² ${mmd.mmd2Unbiased.toPrecision(3)} > ${mmd.threshold.toPrecision(3)} (α = ${mmd.alpha})`;
  }
  return `MMD p = ${mmd.pValue.toFixed(4)}`;
}

/** Writes the alert row and returns the event to dispatch, or null when the cooldown holds it. */
export async function writeBatchAlert(tx: Tx, input: BatchAlertInput): Promise<AlertEvent | null> {
  const { stream, check } = input;
  const numbers: AlertNumbers = {
    psi: check.psi.values,
    flaggedDimensions: check.psi.flagged,
    ksStatistic: Math.max(...check.ks.statistics),
    ...(check.mmd ? { mmd2: check.mmd.mmd2Unbiased, pValue: check.mmd.pValue } : {}),
    extra: {
      "KS-flagged components": check.ks.flagged.length,
      ...(input.novelty ? { "kNN novelty rate": input.novelty.rate } : {}),
    },
  };
  const whoHow = input.whoHow;
  const category = whoHow?.category ?? null;
  const moved = (whoHow?.quality?.signals ?? [])
    .filter((s) => whoHow?.quality?.fired.includes(s.name))
    .map((s) => `${s.name} ${s.effect >= 0 ? "+" : ""}${s.effect.toFixed(2)} σ`);
  const what =
    category === "input"
      ? ` — input change (${moved.join(", ")}${whoHow?.impact ? `; predicted ΔAUC ${whoHow.impact.deltaAuc.toFixed(3)} ± ${whoHow.impact.error.toFixed(3)}` : ""})`
      : category === "population"
        ? " — population change (who is seen; face quality as in the reference)"
        : "";
  const title =
    `Batch drift on ${stream.name}: ${check.psi.flagged.length} of ${check.components} components ` +
    `with PSI ≥ 0.1, ${mmdPhrase(check.mmd)} (${check.severity})${what}`;
  if (whoHow?.quality) {
    numbers.extra = {
      ...numbers.extra,
      "distinct people (est.)": whoHow.quality.people,
      ...Object.fromEntries(
        whoHow.quality.signals
          .filter((s) => whoHow.quality?.fired.includes(s.name))
          .map((s) => [`${s.name} shift (reference σ)`, s.effect]),
      ),
    };
  }
  const { toSend } = await recordAlerts(tx, { ...input, detector: "batch" }, [
    {
      // Population findings are informational; an input change's severity follows its predicted cost.
      severity: whoHow?.severity ?? (check.severity === "high" ? "critical" : "warning"),
      ...(category ? { category } : {}),
      ...(whoHow?.impact ? { impact: whoHow.impact } : {}),
      title,
      numbers,
      window: input.window,
      details: {
        runId: input.runId,
        referenceSetId: input.reference.id,
        referenceVersion: input.reference.version,
        severity: check.severity,
        psi: check.psi.values,
        flaggedDimensions: check.psi.flagged,
        ks: { statistics: check.ks.statistics, adjusted: check.ks.adjusted, flagged: check.ks.flagged },
        mmd2: check.mmd?.mmd2Unbiased ?? null,
        pValue: check.mmd?.pValue ?? null,
        novelty: input.novelty,
      },
    },
  ]);
  return toSend[0] ?? null;
}
