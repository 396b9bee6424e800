/**
 * @module
 * `facedrift archive verify`: reads every recorded archive back from the store and checks it
 * against its record: the object's SHA-256, the envelope (opens with the configured keys, its
 * authenticated metadata names the record's stream and day), and the Parquet inside (row count,
 * seq order and range, each vector's dimension). Plaintext files from before encryption pass
 * with `encrypted: false`, so they stand out (`archive rekey` seals them).
 */
import type { Executor } from "../db/database.ts";
import { type ArchiveFilter, type ArchiveRecord, listArchiveRecords, openRecord } from "./archive-object.ts";
import type { ArchiveStore } from "./archive-store.ts";
import type { KekLookup } from "./envelope.ts";

export interface VerifiedArchive {
  stream: string;
  day: string;
  location: string;
  rows: number;
  encrypted: boolean;
  keyId: string | null;
  ok: boolean;
  /** What failed, when not ok. */
  problem?: string;
}

export async function verifyArchives(
  db: Executor,
  store: ArchiveStore,
  keys: KekLookup | null,
  filter: ArchiveFilter = {},
  onDay?: (result: VerifiedArchive, index: number, total: number) => void,
): Promise<VerifiedArchive[]> {
  const records = await listArchiveRecords(db, filter);
  const results: VerifiedArchive[] = [];
  for (const [index, record] of records.entries()) {
    const result = await verifyOne(store, keys, record);
    results.push(result);
    onDay?.(result, index + 1, records.length);
  }
  return results;
}

async function verifyOne(
  store: ArchiveStore,
  keys: KekLookup | null,
  record: ArchiveRecord,
): Promise<VerifiedArchive> {
  const result: VerifiedArchive = {
    stream: record.stream,
    day: record.day,
    location: record.location,
    rows: record.rows,
    encrypted: record.keyId !== null,
    keyId: record.keyId,
    ok: false,
  };
  try {
    const opened = await openRecord(store, keys, record);
    if ((opened.keyId ?? null) !== record.keyId) {
      throw new Error(
        `file is sealed with key ${opened.keyId ?? "(none)"}, the record says ${record.keyId ?? "(none)"}`,
      );
    }
    const { rows } = opened;
    if (rows.length !== record.rows)
      throw new Error(`file holds ${rows.length} rows, the record ${record.rows}`);
    for (let i = 1; i < rows.length; i++) {
      if ((rows[i]?.seq as bigint) <= (rows[i - 1]?.seq as bigint))
        throw new Error(`rows out of seq order at row ${i}`);
    }
    const first = rows.length > 0 ? Number(rows[0]?.seq) : null;
    const last = rows.length > 0 ? Number(rows.at(-1)?.seq) : null;
    if (record.firstSeq !== null && (first !== record.firstSeq || last !== record.lastSeq)) {
      throw new Error(`file holds seqs ${first}–${last}, the record ${record.firstSeq}–${record.lastSeq}`);
    }
    const wrong = rows.findIndex((row) => row.embedding.length !== record.dimension);
    if (wrong >= 0)
      throw new Error(
        `row ${wrong} has ${rows[wrong]?.embedding.length} dimensions, the stream ${record.dimension}`,
      );
    result.ok = true;
  } catch (error) {
    result.problem = (error as Error).message;
  }
  return result;
}
