/**
 * @module
 * The `stream` findings of the streaming detector: one `alerts` row per drift event (finding kind
 * `pc1`, `residual` or `mmd`), recorded in the batch's transaction and attached to the stream's
 * incident (`alerts/record.ts`); the notifications that causes are dispatched after the commit
 * (`worker.ts`), fire-and-forget. A shift that trips several signals is one incident.
 */
import { inputSeverity } from "@facedrift/stats";
import { type AlertDraft, recordAlerts } from "../alerts/record.ts";
import type { IncidentNotification } from "../alerts/types.ts";
import type { Tx } from "../db/database.ts";
import { FINDING_SEVERITY } from "../incidents/severity.ts";
import type { Detection } from "./detectors.ts";

export interface StreamAlertInput {
  stream: { id: number; tenantId: number; name: string };
  reference: { id: number; version: number };
  detections: (Detection & {
    driftEventId: number;
    /** Event times (ISO) of the window the alert is about. */
    window: { from: string; to: string };
  })[];
  dashboardBaseUrl: string;
  /**
   * The reference's standard deviation of PC1 (√ of its explained variance): a PC1 shift is
   * stated in it, the "how bad" a person can compare across streams and models.
   */
  pc1Sigma?: number;
}

/** Inserts one finding per detection and returns the incident notifications to send. */
export async function writeStreamAlerts(tx: Tx, input: StreamAlertInput): Promise<IncidentNotification[]> {
  const { stream } = input;
  if (input.detections.length === 0) return [];
  const drafts: AlertDraft[] = input.detections.map((d) => ({
    // An input finding's severity follows its predicted cost; population findings are info
    // (incidents/severity.ts enforces that for every detector).
    severity:
      d.signal === "quality"
        ? d.severity
        : d.category === "population"
          ? "info"
          : d.impact
            ? inputSeverity(d.impact)
            : (FINDING_SEVERITY[d.signal]?.severity ?? "warning"),
    kind: d.signal,
    ...(d.category ? { category: d.category } : {}),
    ...(d.impact ? { impact: d.impact } : {}),
    ...withPeopleCheck(d, describe(stream.name, d, input.pc1Sigma)),
    window: { from: new Date(d.window.from), to: new Date(d.window.to) },
    details: {
      seq: d.seq,
      signal: d.signal,
      driftEventId: d.driftEventId,
      referenceSetId: input.reference.id,
      referenceVersion: input.reference.version,
    },
  }));
  return (await recordAlerts(tx, { ...input, detector: "stream" }, drafts)).notifications;
}

function describe(stream: string, d: Detection, pc1Sigma?: number): Pick<AlertDraft, "title" | "numbers"> {
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
  const who = whoOrHow(d);
  if (d.signal === "mmd") {
    const ratio = d.threshold > 0 ? d.statistic / d.threshold : null;
    return {
      title: `MMD² of the last ${d.rows} embeddings of ${stream} is ${d.statistic.toPrecision(3)}${ratio === null ? "" : `, ${ratio.toFixed(1)}× its threshold`} ${d.threshold.toPrecision(3)} (α = ${d.alpha} per window)${who}`,
      numbers: {
        mmd2: d.statistic,
        extra: {
          "MMD² threshold": d.threshold,
          ...(ratio === null ? {} : { "MMD² / threshold": ratio }),
          "embeddings in the window": d.rows,
        },
      },
    };
  }
  const window = {
    "embeddings before the change": d.widthBefore,
    "embeddings after the change": d.widthAfter,
  };
  if (d.signal === "residual") {
    return {
      title: `PCA residual of ${stream} shifted from ${d.meanBefore.toFixed(3)} to ${d.meanAfter.toFixed(3)} (squared distance to the reference's principal subspace; ADWIN)${who}`,
      numbers: {
        extra: {
          "residual before": d.meanBefore,
          "residual after": d.meanAfter,
          ...window,
        },
      },
    };
  }
  const shift = pc1Sigma && pc1Sigma > 0 ? (d.meanAfter - d.meanBefore) / pc1Sigma : null;
  const sigmas = shift === null ? "" : ` (${signed(shift)} σ of the reference)`;
  return {
    title: `PC1 of ${stream} shifted from ${d.meanBefore.toFixed(3)} to ${d.meanAfter.toFixed(3)}${sigmas} (ADWIN)${who}`,
    numbers: {
      pc1MeanBefore: d.meanBefore,
      pc1MeanAfter: d.meanAfter,
      extra: { ...(shift === null ? {} : { "PC1 shift (reference σ)": shift }), ...window },
    },
  };
}

const signed = (value: number) => `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(2)}`;

/** The title's verdict on who or how, with the detail test's or the person test's numbers where one decided. */
function whoOrHow(d: Detection): string {
  const detail = d.detail;
  if (detail?.offFaceSpace)
    return ` — embeddings off the face space: the window's faces carry ${signed(detail.effect)} σ of energy outside the reference's main directions, more than any new people do (z = ${signed(detail.z)})`;
  if (detail && !detail.lost)
    return ` — a population change (who is seen) or a change that keeps identity detail, not detail lost: the window's faces (about ${Math.round(detail.people)} people) keep the detail new people show (z = ${signed(detail.z)})`;
  if (detail?.lost)
    return ` — identity detail lost: the window's faces (about ${Math.round(detail.people)} people) keep less detail than new people show (z = ${signed(detail.z)})${costOf(d.impact)}`;
  const people = d.people;
  if (people?.verdict === "population")
    return ` — a population change (who is seen), not an input change: the window's ${people.people} people explain it (person test p = ${people.pValue.toFixed(2)})`;
  if (d.category === "population") return " — a population change (who is seen), not an input change";
  if (people?.verdict === "input")
    return ` — not explained by who is seen (person test over ${people.people} people, p = ${people.pValue.toFixed(3)})${costOf(d.impact)}`;
  return "";
}

/** The predicted verification cost an input finding's title states, from the embedding-only harm model. */
function costOf(impact: { deltaAuc: number; error: number } | null | undefined): string {
  return impact
    ? `; predicted verification cost ΔAUC ${impact.deltaAuc.toFixed(3)} ± ${impact.error.toFixed(3)} (from the embeddings' lost detail)`
    : "";
}

/** The detail test's or the person test's figures beside the detector's own, where one classified the finding. */
function withPeopleCheck(d: Detection, described: Pick<AlertDraft, "title" | "numbers">) {
  const test: Record<string, number> | null = d.detail
    ? {
        "detail test z": d.detail.z,
        "detail test |z| critical": d.detail.zCritical,
        "residual effect (face σ)": d.detail.effect,
        "people in the window (est.)": d.detail.people,
        "faces in the window": d.detail.rows,
      }
    : d.people
      ? {
          "person test p": d.people.pValue,
          "person test α": d.people.alpha,
          "people in the window (est.)": d.people.people,
          "faces in the window": d.people.rows,
        }
      : null;
  if (!test) return described;
  return {
    ...described,
    numbers: {
      ...described.numbers,
      extra: {
        ...described.numbers?.extra,
        ...test,
        ...(d.impact ? { "predicted ΔAUC": d.impact.deltaAuc, "ΔAUC error (held out)": d.impact.error } : {}),
      },
    },
  };
}
