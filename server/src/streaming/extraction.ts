/**
 * @module
 * The streaming worker's faces-lost path: the stream's extraction reports (what an API client's
 * pipeline tried per batch, `services/embeddings/extraction.ts`) run through the faces-lost
 * detector (`@facedrift/stats`, `detectors/extraction-stream.ts`: the recent failure-to-extract
 * rate against the earlier one), beside the embeddings' detectors and independent of them. A
 * batch that found no face adds a report and no embedding, so this path has its own cursor (the
 * report seq) and state in the stream's checkpoint row; `worker.ts` runs it whenever reports are
 * waiting, embeddings or not.
 *
 * Exactly-once as for embeddings (`process-batch.ts`): reads happen first; the transaction checks
 * the lease and that the report cursor is where the step started, records the findings and saves
 * cursor and state together. A crash before the commit replays the same reports into the same
 * state. A finding is an *input* change: its predicted impact is the rise of the failure-to-extract
 * rate (failures count as failed comparisons, issue 12 item 5), and its severity follows that cost
 * (`inputSeverity`, `faces-lost-stream` / `faces-lost-stream-costly` in docs/incidents.md).
 */
import { type ExtractionFinding, extractionStateFrom, inputSeverity, stepExtraction } from "@facedrift/stats";
import { sql } from "drizzle-orm";
import { recordAlerts } from "../alerts/record.ts";
import type { IncidentNotification } from "../alerts/types.ts";
import type { Db } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { saveExtractionCursor } from "../services/stream-cursors/lease.ts";
import type { StreamRef } from "./process-batch.ts";

/** Reports per step: each is a few numbers, so a page is cheap; the detector's state stays small. */
export const EXTRACTION_PAGE = 1000;

export interface ExtractionPosition {
  extractionSeq: number;
  extractionState: Record<string, unknown> | null;
}

export type ExtractionOutcome =
  | { status: "idle" }
  | { status: "lease-lost" }
  | {
      status: "processed";
      position: ExtractionPosition;
      processed: number;
      findings: ExtractionFinding[];
      toDispatch: IncidentNotification[];
      hasMore: boolean;
    };

class LeaseLost extends Error {}

export async function processExtractionReports(
  db: Db,
  stream: StreamRef,
  position: ExtractionPosition,
  options: {
    owner: string;
    leaseMs: number;
    dashboardBaseUrl: string;
    limit?: number;
    /** Test seam: runs inside the transaction after every write, before the commit. */
    beforeCommit?: () => void | Promise<void>;
  },
): Promise<ExtractionOutcome> {
  const limit = options.limit ?? EXTRACTION_PAGE;
  const reports = await queryRows<{ seq: string; attempted: number; no_face: number }>(
    db,
    // Ordered by the column, not by the text alias of the same name ("99" > "150").
    sql`SELECT r.seq::text AS seq, r.attempted, r.no_face FROM extraction_reports r
        WHERE r.stream_id = ${stream.id} AND r.seq > ${position.extractionSeq}
        ORDER BY r.seq LIMIT ${limit}`,
  );
  if (reports.length === 0) return { status: "idle" };
  let state = extractionStateFrom(position.extractionState);
  const findings: ExtractionFinding[] = [];
  for (const r of reports) {
    const step = stepExtraction(state, {
      seq: Number(r.seq),
      attempted: Number(r.attempted),
      noFace: Number(r.no_face),
    });
    state = step.state;
    if (step.finding) findings.push(step.finding);
  }
  const next: ExtractionPosition = {
    extractionSeq: Number(reports[reports.length - 1]?.seq),
    extractionState: state as unknown as Record<string, unknown>,
  };
  const times = await receivedTimes(
    db,
    stream.id,
    findings.flatMap((f) => [f.since.seq, f.toSeq]),
  );
  try {
    const toDispatch = await db.transaction(async (tx) => {
      const recorded = await recordAlerts(
        tx,
        { stream, detector: "stream", dashboardBaseUrl: options.dashboardBaseUrl },
        findings.map((f) => draftOf(stream.name, f, times)),
      );
      const saved = await saveExtractionCursor(tx, stream.id, options.owner, {
        fromSeq: position.extractionSeq,
        extractionSeq: next.extractionSeq,
        extractionState: next.extractionState as Record<string, unknown>,
        leaseMs: options.leaseMs,
      });
      if (!saved) throw new LeaseLost();
      await options.beforeCommit?.();
      return recorded.notifications;
    });
    return {
      status: "processed",
      position: next,
      processed: reports.length,
      findings,
      toDispatch,
      hasMore: reports.length === limit,
    };
  } catch (error) {
    if (error instanceof LeaseLost) return { status: "lease-lost" };
    throw error;
  }
}

/** The alert of one finding: the cost in the title, the counts beside it. */
function draftOf(name: string, f: ExtractionFinding, times: Map<number, string>) {
  const { result, since } = f;
  const impact = { deltaAuc: f.predictedDeltaAuc, error: f.error };
  const severity = inputSeverity(impact);
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const at = (seq: number) => new Date(times.get(seq) ?? Date.now());
  return {
    severity,
    // One kind either way, as for uploads; docs/incidents.md lists the costly case as `faces-lost-stream-costly`.
    kind: "faces-lost-stream",
    category: "input" as const,
    impact,
    title:
      `Faces lost on ${name}: predicted ΔAUC ${f.predictedDeltaAuc.toFixed(3)} ± ${f.error.toFixed(3)} — ` +
      `the client found no face in ${since.noFace} of its last ${since.attempts} attempts ` +
      `(${pct(since.rate)}; before: ${pct(result.before.rate)} of ${result.before.photos})`,
    numbers: {
      pValue: result.pValue,
      extra: {
        "attempts without a face (since the change)": since.noFace,
        "attempts (since the change)": since.attempts,
        "failure-to-extract rate (since the change)": since.rate,
        "failure-to-extract rate (before)": result.before.rate,
        "predicted ΔAUC": f.predictedDeltaAuc,
        "ΔAUC error (sampling)": f.error,
      },
    },
    window: { from: at(since.seq), to: at(f.toSeq) },
    details: {
      signal: "extraction",
      window: f.window,
      reportSeqs: { from: f.fromSeq, since: since.seq, to: f.toSeq, baselineFrom: f.baselineFromSeq },
      faceLoss: result,
      since,
    },
  };
}

/** ISO receive times of the given reports (only those a finding names). */
async function receivedTimes(db: Db, streamId: number, seqs: number[]): Promise<Map<number, string>> {
  if (seqs.length === 0) return new Map();
  const rows = await queryRows<{ seq: string; received_at: string }>(
    db,
    sql`SELECT seq::text AS seq,
          to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS received_at
        FROM extraction_reports WHERE stream_id = ${streamId}
          AND seq IN (${sql.join(
            [...new Set(seqs)].map((seq) => sql`${seq}`),
            sql`, `,
          )})`,
  );
  return new Map(rows.map((r) => [Number(r.seq), r.received_at]));
}
