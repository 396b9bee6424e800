/**
 * @module
 * The `batch` finding of a confirmed drift: one `alerts` row per run, recorded (`alerts/record.ts`)
 * in the same transaction as the run's final numbers and attached to the stream's incident (a
 * high-severity run escalates it to critical). Notifications are dispatched after the commit,
 * fire-and-forget.
 */
import type { BatchCheckResult } from "@facedrift/stats";
import { pValue } from "../alerts/format.ts";
import { recordAlerts } from "../alerts/record.ts";
import type { AlertNumbers, IncidentNotification } from "../alerts/types.ts";
import type { Tx } from "../db/database.ts";
import { FINDING_SEVERITY } from "../incidents/severity.ts";
import type { BatchWhoHow } from "./who-how.ts";

export interface BatchAlertInput {
  stream: { id: number; tenantId: number; name: string };
  runId: number;
  reference: { id: number; version: number };
  check: BatchCheckResult;
  novelty: { rate: number; threshold: number } | null;
  /** The run's who-or-how classification (null: not classified; the statistics' severity stands). */
  whoHow: BatchWhoHow | null;
  window: { from: Date; to: Date };
  dashboardBaseUrl: string;
}

/** The MMD rule that confirmed: the profile's calibrated threshold, or a permutation p-value (of people or rows). */
function mmdPhrase(mmd: BatchCheckResult["mmd"]): string {
  if (!mmd) return "MMD n/a";
  if (mmd.decision === "threshold" && mmd.threshold !== undefined) {
    return `MMD² ${mmd.mmd2Unbiased.toPrecision(3)} > ${mmd.threshold.toPrecision(3)} (α = ${mmd.alpha})`;
  }
  const p = pValue(mmd.pValue);
  const test = mmd.decision === "people" && mmd.people ? ` (${mmd.people.units.window} people)` : "";
  return p.startsWith("<") ? `MMD p ${p}${test}` : `MMD p = ${p}${test}`;
}

/** Writes the finding and returns the incident notifications to dispatch (none when it attached silently). */
export async function writeBatchAlert(tx: Tx, input: BatchAlertInput): Promise<IncidentNotification[]> {
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
  const moved = (whoHow?.quality?.signals ?? [])
    .filter((s) => whoHow?.quality?.fired.includes(s.name))
    .map((s) => `${s.name} ${s.effect >= 0 ? "+" : ""}${s.effect.toFixed(2)} σ`);
  const detail = whoHow?.detail;
  const cost = whoHow?.impact
    ? `; predicted ΔAUC ${whoHow.impact.deltaAuc.toFixed(3)} ± ${whoHow.impact.error.toFixed(3)}`
    : "";
  const detailPhrase = detail
    ? `${detail.lost ? "identity detail lost" : "embeddings off the face space"}: residual ${detail.effect >= 0 ? "+" : ""}${detail.effect.toFixed(2)} σ against new people's, z = ${detail.z.toFixed(2)} over about ${Math.round(detail.people)} people${cost}`
    : "";
  const what = detail
    ? whoHow?.category === "input"
      ? ` — input change (${detailPhrase})`
      : " — population change (who is seen, or a change that keeps identity detail: the faces keep the detail new people show)"
    : whoHow?.category === "input"
      ? ` — input change (${moved.join(", ")}${cost})`
      : whoHow?.category === "population"
        ? " — population change (who is seen; face quality as in the reference)"
        : "";
  const statistics =
    `${check.psi.flagged.length} of ${check.components} components with PSI ≥ 0.1, ` +
    `${check.ks.flagged.length} by KS, ${mmdPhrase(check.mmd)}`;
  // The quality test alone can find an input change the embedding statistics did not confirm.
  const title = check.drift
    ? `Batch drift on ${stream.name}: ${statistics}${what}`
    : detail
      ? `Batch input change on ${stream.name}: ${detailPhrase}; embedding statistics: ${statistics}`
      : `Batch input change on ${stream.name}: ${moved.join(", ")}${whoHow?.impact ? ` (predicted ΔAUC ${whoHow.impact.deltaAuc.toFixed(3)} ± ${whoHow.impact.error.toFixed(3)})` : ""}; embedding statistics: ${statistics}`;
  if (detail)
    numbers.extra = {
      ...numbers.extra,
      "detail test z": detail.z,
      "residual effect (face σ)": detail.effect,
      "people in the window (est.)": detail.people,
    };
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
  const { notifications } = await recordAlerts(tx, { ...input, detector: "batch" }, [
    {
      // An input change's severity follows its predicted cost; population findings are info.
      severity:
        whoHow?.severity ?? FINDING_SEVERITY[check.severity === "high" ? "batch-high" : "batch"]!.severity,
      ...(whoHow?.category ? { category: whoHow.category } : {}),
      ...(whoHow?.impact ? { impact: whoHow.impact } : {}),
      title,
      numbers,
      window: input.window,
      details: {
        runId: input.runId,
        referenceSetId: input.reference.id,
        referenceVersion: input.reference.version,
        // The check's own grade (high: ≥ 3 components flagged), which made this finding critical or warning.
        checkSeverity: check.severity,
        psi: check.psi.values,
        flaggedDimensions: check.psi.flagged,
        ks: { statistics: check.ks.statistics, adjusted: check.ks.adjusted, flagged: check.ks.flagged },
        mmd2: check.mmd?.mmd2Unbiased ?? null,
        pValue: check.mmd?.pValue ?? null,
        novelty: input.novelty,
      },
    },
  ]);
  return notifications;
}
