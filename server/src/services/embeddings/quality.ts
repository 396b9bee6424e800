/**
 * @module
 * The quality signals stored with embeddings (`metadata.quality`, written by the capture station,
 * the replica and `facedrift extract`), read for a list of seqs: the input/pipeline detector's
 * evidence (`@facedrift/stats` quality-window). Only that JSON object leaves the database, never
 * the rest of the metadata.
 */
import type { QualityRecord } from "@facedrift/stats";
import { sql } from "drizzle-orm";
import { type Executor, queryRows } from "../../db/database.ts";
import { pgArrayLiteral } from "../../db/pg-array.ts";

/** One record per seq, in the order given; null where a row has no quality object. */
export async function qualityOfSeqs(
  db: Executor,
  streamId: number,
  seqs: readonly number[],
): Promise<QualityRecord[]> {
  if (seqs.length === 0) return [];
  const rows = await queryRows<{ seq: string; quality: unknown }>(
    db,
    sql`SELECT seq::text AS seq, metadata->'quality' AS quality FROM embeddings
        WHERE stream_id = ${streamId} AND seq = ANY(${pgArrayLiteral([...seqs])}::bigint[])
          AND jsonb_typeof(metadata->'quality') = 'object'`,
  );
  const bySeq = new Map(rows.map((r) => [Number(r.seq), asRecord(r.quality)]));
  return seqs.map((seq) => bySeq.get(seq) ?? null);
}

/** `metadata.quality` of an ingest item, when it is an object. */
export function qualityOfMetadata(metadata: Record<string, unknown> | undefined | null): QualityRecord {
  return asRecord(metadata?.quality);
}

function asRecord(value: unknown): QualityRecord {
  // postgres.js returns jsonb parsed; PGlite may hand back the text.
  const parsed = typeof value === "string" ? safeParse(value) : value;
  return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as QualityRecord) : null;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
