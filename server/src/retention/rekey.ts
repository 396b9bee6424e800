/**
 * @module
 * `facedrift archive rekey`: the second half of a key rotation. Every archive whose data key is
 * wrapped by another key than the active one is re-wrapped under it (`rewrapArchive`: the data
 * and its authenticated metadata are kept byte for byte), and plaintext files from before
 * encryption are sealed. Each rewrite is a new object swapped into the record (compare-and-set),
 * so the old key can be dropped from the configuration once this reports nothing left.
 */
import type { Executor } from "../db/database.ts";
import type { ArchiveKeyRing } from "./archive-keys.ts";
import {
  type ArchiveFilter,
  type ArchiveRecord,
  listArchiveRecords,
  openRecord,
  seqRange,
  sha256Hex,
  storeChecked,
  storeSealed,
  swapRecordObject,
} from "./archive-object.ts";
import type { ArchiveStore } from "./archive-store.ts";
import { isSealedArchive, peekArchive, rewrapArchive } from "./envelope.ts";
import { ArchiveFileWriter } from "./parquet.ts";

export type RekeyStatus = "rewrapped" | "sealed" | "current" | "failed";

export interface RekeyedArchive {
  stream: string;
  day: string;
  from: string | null;
  status: RekeyStatus;
  problem?: string;
}

const ATTEMPTS = 3;

export async function rekeyArchives(
  db: Executor,
  store: ArchiveStore,
  keys: ArchiveKeyRing,
  filter: ArchiveFilter = {},
  onDay?: (result: RekeyedArchive, index: number, total: number) => void,
): Promise<RekeyedArchive[]> {
  const records = await listArchiveRecords(db, filter);
  const results: RekeyedArchive[] = [];
  for (const [index, first] of records.entries()) {
    let record: ArchiveRecord | undefined = first;
    let result: RekeyedArchive = {
      stream: first.stream,
      day: first.day,
      from: first.keyId,
      status: "current",
    };
    for (let attempt = 1; record && attempt <= ATTEMPTS; attempt++) {
      result = { stream: record.stream, day: record.day, from: record.keyId, status: "current" };
      if (record.keyId === keys.active.id) break;
      try {
        if (await rekeyOne(db, store, keys, record)) {
          result.status = record.keyId === null ? "sealed" : "rewrapped";
          break;
        }
        // Someone rewrote the day meanwhile (an erasure): read its record again and retry.
        [record] = await listArchiveRecords(db, {
          streamId: record.streamId,
          from: record.day,
          to: record.day,
        });
        if (attempt === ATTEMPTS) throw new Error("the day kept changing while it was re-keyed");
      } catch (error) {
        result.status = "failed";
        result.problem = (error as Error).message;
        break;
      }
    }
    results.push(result);
    onDay?.(result, index + 1, records.length);
  }
  return results;
}

async function rekeyOne(
  db: Executor,
  store: ArchiveStore,
  keys: ArchiveKeyRing,
  record: ArchiveRecord,
): Promise<boolean> {
  const bytes = await store.get(record.objectKey);
  if (sha256Hex(bytes) !== record.sha256)
    throw new Error("stored object's SHA-256 differs from the record's");
  let next: Awaited<ReturnType<typeof storeChecked>>;
  if (isSealedArchive(bytes)) {
    const { meta } = peekArchive(bytes);
    next = await storeChecked(store, keys, rewrapArchive(bytes, keys, keys.active), meta);
  } else {
    // A plaintext file from before encryption: the same rows, sealed.
    const { rows, info } = await openRecord(store, null, record);
    const writer = new ArchiveFileWriter(info);
    writer.write(rows);
    next = await storeSealed(store, keys, writer.finish(), {
      tenantId: record.tenantId,
      streamId: record.streamId,
      stream: record.stream,
      day: record.day,
      rows: rows.length,
      ...seqRange(rows),
      model: record.model,
      dimension: record.dimension,
    });
  }
  return swapRecordObject(db, store, record.id, record.objectKey, next);
}
