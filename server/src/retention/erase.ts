/**
 * @module
 * Privacy erasure in archived days. Every archived day of the stream is opened; a day holding rows
 * of the subject is written again without them (a new sealed object under the active key, read
 * back and checked), swapped into its record (compare-and-set: a concurrent rewrite makes us read
 * the day again), the old object deleted, and the new one opened once more to verify that no row
 * of the subject is left. The erased vectors are returned so reference versions can drop their
 * copies (`services/references/erase.ts`).
 */
import type { Executor } from "../db/database.ts";
import type { ErasedVector } from "../services/references/erase.ts";
import { type ArchiveKeyRing, ArchiveKeysMissing } from "./archive-keys.ts";
import {
  type ArchiveRecord,
  listArchiveRecords,
  openRecord,
  seqRange,
  storeSealed,
  swapRecordObject,
} from "./archive-object.ts";
import type { ArchiveStore } from "./archive-store.ts";
import type { KekLookup } from "./envelope.ts";
import { ArchiveFileWriter, type ArchiveRow } from "./parquet.ts";

export interface ArchivedDayErasure {
  day: string;
  removed: number;
  /** Rows the rewritten file still holds. */
  remaining: number;
}

export interface ArchiveErasure {
  days: ArchivedDayErasure[];
  rowsRemoved: number;
  /** Archived days opened and checked. */
  daysScanned: number;
  vectors: ErasedVector[];
}

const ATTEMPTS = 5;

export async function eraseFromArchives(
  db: Executor,
  store: ArchiveStore,
  keyRing: () => ArchiveKeyRing | null,
  streamId: number,
  matches: (row: ArchiveRow) => boolean,
): Promise<ArchiveErasure> {
  const result: ArchiveErasure = { days: [], rowsRemoved: 0, daysScanned: 0, vectors: [] };
  const records = await listArchiveRecords(db, { streamId });
  // Asked for only when there is something to open: on the embedded database it may create the key.
  const keys = records.length > 0 ? keyRing() : null;
  for (const listed of records) {
    let record: ArchiveRecord | undefined = listed;
    for (let attempt = 1; record; attempt++) {
      const { rows, info } = await openRecord(store, keys, record);
      const keep = rows.filter((row) => !matches(row));
      const removed = rows.length - keep.length;
      if (removed === 0) break;
      if (!keys) throw new ArchiveKeysMissing();
      const writer = new ArchiveFileWriter(info);
      writer.write(keep);
      const next = await storeSealed(store, keys, writer.finish(), {
        tenantId: record.tenantId,
        streamId,
        stream: record.stream,
        day: record.day,
        rows: keep.length,
        ...seqRange(keep),
        model: record.model,
        dimension: record.dimension,
      });
      if (await swapRecordObject(db, store, record.id, record.objectKey, next, removed)) {
        await checkErased(
          store,
          keys,
          { ...record, objectKey: next.objectKey, sha256: next.sha256 },
          matches,
          keep.length,
        );
        result.days.push({ day: record.day, removed, remaining: keep.length });
        result.rowsRemoved += removed;
        for (const row of rows) {
          if (matches(row))
            result.vectors.push({
              embedding: Float32Array.from(row.embedding),
              receivedAtMs: Number(row.receivedAtUs / 1000n),
            });
        }
        break;
      }
      if (attempt === ATTEMPTS) throw new Error(`archive of ${record.day} kept changing during the erasure`);
      [record] = await listArchiveRecords(db, { streamId, from: record.day, to: record.day });
    }
    result.daysScanned++;
  }
  return result;
}

/** Reads the swapped-in object back: the expected rows, none of them the subject's. */
async function checkErased(
  store: ArchiveStore,
  keys: KekLookup,
  record: ArchiveRecord,
  matches: (row: ArchiveRow) => boolean,
  expectedRows: number,
): Promise<void> {
  const { rows } = await openRecord(store, keys, record);
  if (rows.length !== expectedRows || rows.some(matches)) {
    throw new Error(`rewritten archive of ${record.day} still holds rows of the subject`);
  }
}
