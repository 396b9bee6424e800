/**
 * @module
 * The `stream` alerts of the streaming detector: one `alerts` row per drift event, recorded in the
 * batch's transaction with the cooldown decision (`alerts/record.ts`); dispatching happens after
 * the commit (`worker.ts`), fire-and-forget. Every streaming signal (PC1 ADWIN, residual ADWIN,
 * MMD window) shares the one `stream` cooldown: they watch the same embeddings, and a shift that
 * trips two of them is one incident. The stream's own alert rules (dashboard Settings) set that
 * cooldown when they name one, as they do for batch alerts; otherwise the worker's applies.
 */
import { eq } from "drizzle-orm";
import { type AlertDraft, recordAlerts } from "../alerts/record.ts";
import type { AlertEvent } from "../alerts/types.ts";
import type { Tx } from "../db/database.ts";
import { streams } from "../db/schema/stream.ts";
import { alertRulesOf } from "../services/stream-settings/settings.ts";
import type { Detection } from "./detectors.ts";

export interface StreamAlertInput {
  stream: { id: number; tenantId: number; name: string };
  reference: { id: number; version: number };
  detections: (Detection & {
    driftEventId: number;
    /** Event times (ISO) of the window the alert is about. */
    window: { from: string; to: string };
  })[];
  /** The worker's cooldown, used unless the stream's settings name their own. */
  cooldownMs: number;
  dashboardBaseUrl: string;
}

/** Inserts one alert row per detection, applies the cooldown, and returns the alerts to send. */
export async function writeStreamAlerts(tx: Tx, input: StreamAlertInput): Promise<AlertEvent[]> {
  const { stream } = input;
  if (input.detections.length === 0) return [];
  // Read only when something fired: most batches raise nothing.
  const [row] = await tx
    .select({ settings: streams.settings })
    .from(streams)
    .where(eq(streams.id, stream.id));
  const { cooldownMinutes } = alertRulesOf((row?.settings ?? {}) as Record<string, unknown>);
  const cooldownMs = cooldownMinutes === null ? input.cooldownMs : cooldownMinutes * 60_000;
  const drafts: AlertDraft[] = input.detections.map((d) => ({
    // Population findings are informational: who walks past changed, not how they are seen.
    severity: d.signal === "quality" ? d.severity : d.category === "population" ? "info" : "warning",
    ...(d.category ? { category: d.category } : {}),
    ...(d.signal === "quality" && d.impact ? { impact: d.impact } : {}),
    ...describe(stream.name, d),
    window: { from: new Date(d.window.from), to: new Date(d.window.to) },
    details: {
      seq: d.seq,
      signal: d.signal,
      driftEventId: d.driftEventId,
      referenceSetId: input.reference.id,
      referenceVersion: input.reference.version,
    },
  }));
  return (await recordAlerts(tx, { ...input, cooldownMs, detector: "stream" }, drafts)).toSend;
}

function describe(stream: string, d: Detection): Pick<AlertDraft, "title" | "numbers"> {
  if (d.signal === "quality") {
    const moved = d.result.signals
      .filter((s) => d.result.fired.includes(s.name))
      .sort((a, b) => Math.abs(b.z) - Math.abs(a.z));
    const phrase = moved
      .map((s) => `${s.name} ${s.effect >= 0 ? "+" : ""}${s.effect.toFixed(2)} σ`)
      .join(", ");
    const cost = d.impact
      ? `; predicted verification cost ΔAUC ${d.impact.deltaAuc.toFixed(3)} ± ${d.impact.error.toFixed(3)}`
      : "";
    return {
      title: `Input change on ${stream}: ${phrase} over the last ${d.result.rows} faces (about ${Math.round(d.result.people)} people)${cost}`,
      numbers: {
        extra: {
          ...Object.fromEntries(moved.map((s) => [`${s.name} shift (reference σ)`, s.effect])),
          ...Object.fromEntries(moved.map((s) => [`${s.name} z`, s.z])),
          "z threshold": d.zCritical,
          "window faces": d.result.rows,
          "distinct people (est.)": d.result.people,
          ...(d.impact
            ? { "predicted ΔAUC": d.impact.deltaAuc, "ΔAUC error (held out)": d.impact.error }
            : {}),
        },
      },
    };
  }
  const who = d.category === "population" ? " — a population change (who is seen), not an input change" : "";
  if (d.signal === "mmd") {
    return {
      title: `MMD² of the last ${d.rows} embeddings of ${stream} is ${d.statistic.toPrecision(3)}, above ${d.threshold.toPrecision(3)} (α = ${d.alpha} per window)${who}`,
      numbers: { mmd2: d.statistic, extra: { "MMD² threshold": d.threshold, "window embeddings": d.rows } },
    };
  }
  const window = { "window before": d.widthBefore, "window after": d.widthAfter };
  if (d.signal === "residual") {
    return {
      title: `PCA residual of ${stream} shifted from ${d.meanBefore.toFixed(3)} to ${d.meanAfter.toFixed(3)} (ADWIN)${who}`,
      numbers: {
        extra: {
          "residual before": d.meanBefore,
          "residual after": d.meanAfter,
          "PCA residual": d.score,
          ...window,
        },
      },
    };
  }
  return {
    title: `PC1 of ${stream} shifted from ${d.meanBefore.toFixed(3)} to ${d.meanAfter.toFixed(3)} (ADWIN)${who}`,
    numbers: {
      pc1MeanBefore: d.meanBefore,
      pc1MeanAfter: d.meanAfter,
      extra: { "PC1 score": d.score, ...window },
    },
  };
}
