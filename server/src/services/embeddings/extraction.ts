/**
 * @module
 * Extraction reports: with a batch of embeddings, an API client may say how many images or frames
 * its pipeline ran the face detector on (`attempted`) and how many yielded no face (`no_face`, the
 * word image uploads use). A change that defeats the detector (strong pixelation, a lens cap, a
 * broken decode step) leaves no embeddings, so these counts are the only trace of it; the
 * streaming worker tests them (`streaming/extraction.ts`). A batch may carry a report and no
 * items at all: the silent case.
 *
 * No relation between the counts and the items is required: a frame with two people yields two
 * embeddings, and a client may send only a sample of its faces, so `attempted − no_face` may be
 * more or less than the items sent. The failure-to-extract rate is `no_face / attempted`.
 *
 * The report's `id` is its idempotency key, like an item's: stored once per stream, a resend is a
 * no-op (`accepted: false`); a resend whose counts differ is refused (409) before anything of the
 * batch is written, since one of the two must be wrong.
 */
import type { BulkTx } from "../../db/bulk.ts";
import { FacedriftError } from "../../errors.ts";

export interface ExtractionInput {
  /** The report's idempotency key, unique per stream: a resent report is stored once. */
  id: string;
  attempted: number;
  no_face: number;
}

export interface ExtractionOutcome {
  /** False when this id was already stored: the report was not counted again. */
  accepted: boolean;
  /** The report's place among the stream's reports (1, 2, 3, …). */
  seq: number;
}

/** Attempts one report may state: a day of video at 10 frames a second is 864,000. */
export const MAX_EXTRACTION_ATTEMPTS = 1_000_000;

const invalid = (message: string, field: string) =>
  new FacedriftError("invalid_request", `${field}: ${message}`, { field });

/** Checks a report's fields, naming the first bad one; called before anything is written. */
export function checkExtraction(report: ExtractionInput): void {
  const { id, attempted, no_face: noFace } = report;
  let points = 0;
  if (typeof id === "string") for (const _ of id) points++;
  if (typeof id !== "string" || points < 1 || points > 128)
    throw invalid("must be a string of 1–128 characters", "extraction.id");
  if (id.includes("\u0000")) throw invalid("must not contain the NUL character (U+0000)", "extraction.id");
  if (!Number.isInteger(attempted) || attempted < 1 || attempted > MAX_EXTRACTION_ATTEMPTS)
    throw invalid(
      `must be an integer from 1 to ${MAX_EXTRACTION_ATTEMPTS}, got ${attempted}`,
      "extraction.attempted",
    );
  if (!Number.isInteger(noFace) || noFace < 0)
    throw invalid(`must be a non-negative integer, got ${noFace}`, "extraction.no_face");
  if (noFace > attempted)
    throw invalid(`must be at most attempted (${attempted}), got ${noFace}`, "extraction.no_face");
}

/**
 * Stores the report under the stream's row lock (held by the caller), numbering it after the
 * stream's last report. A stored id returns `accepted: false` with its seq.
 */
export async function recordExtraction(
  tx: BulkTx,
  stream: { id: number; lastExtractionSeq: number },
  report: ExtractionInput,
  items: number,
  receivedAt: string,
): Promise<ExtractionOutcome> {
  const inserted = await tx.query<{ seq: string }>(
    `INSERT INTO extraction_reports (stream_id, seq, client_id, attempted, no_face, items, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz)
     ON CONFLICT (stream_id, client_id) DO NOTHING
     RETURNING seq::text AS seq`,
    [stream.id, stream.lastExtractionSeq + 1, report.id, report.attempted, report.no_face, items, receivedAt],
  );
  if (inserted.length === 1) {
    await tx.query("UPDATE streams SET last_extraction_seq = last_extraction_seq + 1 WHERE id = $1", [
      stream.id,
    ]);
    return { accepted: true, seq: stream.lastExtractionSeq + 1 };
  }
  const [stored] = await tx.query<{ seq: string; attempted: number; no_face: number }>(
    "SELECT seq::text AS seq, attempted, no_face FROM extraction_reports WHERE stream_id = $1 AND client_id = $2",
    [stream.id, report.id],
  );
  if (!stored) throw new Error(`extraction report "${report.id}" conflicted but is not stored`);
  if (Number(stored.attempted) !== report.attempted || Number(stored.no_face) !== report.no_face) {
    throw new FacedriftError(
      "conflict",
      `extraction report "${report.id}" is already stored with attempted ${stored.attempted} and no_face ` +
        `${stored.no_face}; a resend must carry the same counts (use a new id for a new report)`,
      { field: "extraction.id" },
    );
  }
  return { accepted: false, seq: Number(stored.seq) };
}
