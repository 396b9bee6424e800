/**
 * @module
 * The `batch` alert of a confirmed drift: one `alerts` row per run, written in the same
 * transaction as the run's final numbers, with the cooldown decision (`alerts/rules.ts`) kept in
 * `streams.alert_state` under this detector's own key (the streaming detector keeps its key in the
 * same column, `streaming/alerts.ts`). Dispatch happens after the commit, fire-and-forget.
 */
import type { BatchCheckResult } from "@facedrift/stats";
import { sql } from "drizzle-orm";
import { applyCooldown, type CooldownState, cooldownKey } from "../alerts/rules.ts";
import { type AlertEvent, type AlertNumbers, dashboardUrl } from "../alerts/types.ts";
import { queryRows, type Tx } from "../db/database.ts";
import { alerts } from "../db/schema/alert.ts";

export interface BatchAlertInput {
  stream: { id: number; tenantId: number; name: string };
  runId: number;
  reference: { id: number; version: number };
  check: BatchCheckResult;
  novelty: { rate: number; threshold: number } | null;
  window: { from: Date; to: Date };
  cooldownMs: number;
  dashboardBaseUrl: string;
}

/** Writes the alert row and returns the event to dispatch, or null when the cooldown holds it. */
export async function writeBatchAlert(tx: Tx, input: BatchAlertInput): Promise<AlertEvent | null> {
  const { stream, check } = input;
  const key = cooldownKey({ tenantId: stream.tenantId, stream: stream.name, detector: "batch" });
  const [current] = await queryRows<{ entry: string | null; now: string }>(
    tx,
    sql`SELECT (alert_state->${key})::text AS entry,
          to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS now
        FROM streams WHERE id = ${stream.id} FOR NO KEY UPDATE`,
  );
  const createdAt = new Date(current?.now ?? Date.now());
  const state: CooldownState = current?.entry ? { [key]: JSON.parse(current.entry) } : {};
  const severity = check.severity === "high" ? "critical" : "warning";
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
  const title =
    `Batch drift on ${stream.name}: ${check.psi.flagged.length} of ${check.components} components ` +
    `with PSI ≥ 0.1, MMD p = ${check.mmd?.pValue.toFixed(4) ?? "n/a"} (${check.severity})`;
  const event: AlertEvent = {
    id: 0,
    tenantId: stream.tenantId,
    stream: stream.name,
    detector: "batch",
    severity,
    createdAt,
    title,
    numbers,
    window: input.window,
    dashboardUrl: "",
  };
  const decision = applyCooldown(state, event, input.cooldownMs);
  const [row] = await tx
    .insert(alerts)
    .values({
      tenantId: stream.tenantId,
      streamId: stream.id,
      detector: "batch",
      severity,
      createdAt,
      payload: {
        title,
        numbers,
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
        window: { from: input.window.from.toISOString(), to: input.window.to.toISOString() },
        suppressedBefore: decision.suppressedBefore,
        // False when the cooldown suppressed it: recorded, not sent.
        sent: decision.send,
      },
    })
    .returning({ id: alerts.id });
  event.id = Number(row?.id);
  event.dashboardUrl = dashboardUrl(input.dashboardBaseUrl, event);
  await tx.execute(
    sql`UPDATE streams SET alert_state = alert_state || ${JSON.stringify({ [key]: decision.state[key] })}::jsonb
        WHERE id = ${stream.id}`,
  );
  return decision.send ? event : null;
}
