/**
 * @module
 * One archived day as an object in the store: sealing and storing it with a read-back check,
 * opening it (sealed, or plaintext from before encryption), and swapping a day's record to a
 * rewritten object. Used by the archiver, `archive verify|restore|rekey` and privacy erasure.
 */
import { createHash, randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Executor } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import type { ArchiveKeyRing } from "./archive-keys.ts";
import type { ArchiveStore } from "./archive-store.ts";
import {
  type ArchiveMeta,
  type ArchiveMetaInput,
  isSealedArchive,
  type KekLookup,
  openArchive,
  peekArchive,
  sealArchive,
} from "./envelope.ts";
import { type ArchiveRow, readArchiveFile, summarizeArchiveFile } from "./parquet.ts";

/** A row of `embedding_archives` with its stream's names, as the commands show it. */
export interface ArchiveRecord {
  id: number;
  tenantId: number;
  streamId: number;
  stream: string;
  day: string;
  objectKey: string;
  location: string;
  rows: number;
  bytes: number;
  sha256: string;
  /** Null: a plaintext file written before archives were encrypted. */
  keyId: string | null;
  firstSeq: number | null;
  lastSeq: number | null;
  /**
   * Set on files from before seqs counted per stream: they hold server-wide seqs, and row i (from
   * 1) is per-stream seq `seqOffset + i` (migration `0015_stream_seq.sql`). Null: per-stream seqs.
   */
  seqOffset: number | null;
  erasedRows: number;
  restoredUntil: string | null;
  model: string;
  dimension: number;
  createdAt: string;
  updatedAt: string;
}

export interface ArchiveFilter {
  tenantId?: number;
  /** Stream name (with `tenantId`) or id. */
  stream?: string;
  streamId?: number;
  /** Inclusive `YYYY-MM-DD` bounds. */
  from?: string;
  to?: string;
}

export async function listArchiveRecords(db: Executor, filter: ArchiveFilter = {}): Promise<ArchiveRecord[]> {
  const where = [sql`true`];
  if (filter.tenantId !== undefined) where.push(sql`s.tenant_id = ${filter.tenantId}`);
  if (filter.stream !== undefined) where.push(sql`s.name = ${filter.stream}`);
  if (filter.streamId !== undefined) where.push(sql`a.stream_id = ${filter.streamId}`);
  if (filter.from !== undefined) where.push(sql`a.day >= ${filter.from}::date`);
  if (filter.to !== undefined) where.push(sql`a.day <= ${filter.to}::date`);
  return queryRows<ArchiveRecord>(
    db,
    sql`SELECT a.id::int AS id, s.tenant_id::int AS "tenantId", a.stream_id::int AS "streamId", s.name AS stream,
          a.day::text AS day, a.object_key AS "objectKey", a.location, a.rows, a.bytes::float8 AS bytes, a.sha256,
          a.key_id AS "keyId", a.first_seq::float8 AS "firstSeq", a.last_seq::float8 AS "lastSeq",
          a.seq_offset::float8 AS "seqOffset", a.erased_rows AS "erasedRows",
          to_char(a.restored_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "restoredUntil",
          s.model_id || '@' || s.model_version AS model, s.dimension,
          to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "createdAt",
          to_char(a.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "updatedAt"
        FROM embedding_archives a JOIN streams s ON s.id = a.stream_id
        WHERE ${sql.join(where, sql` AND `)}
        ORDER BY s.tenant_id, s.name, a.day`,
  );
}

/** A fresh key per write: rewrites never overwrite the object a record still points to. */
export function newObjectKey(streamId: number, day: string): string {
  return `${streamId}/${day}.${randomBytes(6).toString("hex")}.parquet.enc`;
}

export interface StoredObject {
  objectKey: string;
  location: string;
  bytes: number;
  /** Of the stored (sealed) object. */
  sha256: string;
  keyId: string;
  rows: number;
  firstSeq: number | null;
  lastSeq: number | null;
}

/**
 * Seals `parquet` under the ring's active key, stores it under a new key and reads it back (see
 * `storeChecked`).
 */
export async function storeSealed(
  store: ArchiveStore,
  keys: ArchiveKeyRing,
  parquet: Uint8Array,
  meta: ArchiveMetaInput,
): Promise<StoredObject> {
  return storeChecked(store, keys, sealArchive(parquet, meta, keys.active), meta);
}

/**
 * Stores a sealed file under a new key and reads it back: same bytes, opens with the ring's
 * active key, holds `expected.rows` rows in seq order from `firstSeq` to `lastSeq`. On any
 * mismatch the object is deleted again and the error names it.
 */
export async function storeChecked(
  store: ArchiveStore,
  keys: ArchiveKeyRing,
  sealed: Uint8Array,
  expected: Pick<ArchiveMeta, "streamId" | "stream" | "day" | "rows" | "firstSeq" | "lastSeq">,
): Promise<StoredObject> {
  const objectKey = newObjectKey(expected.streamId, expected.day);
  const sha256 = sha256Hex(sealed);
  await store.put(objectKey, sealed);
  try {
    const stored = await store.get(objectKey);
    if (sha256Hex(stored) !== sha256) throw new Error("stored file's SHA-256 differs from what was written");
    if (peekArchive(stored).kekId !== keys.active.id)
      throw new Error("stored file is not sealed with the active key");
    await checkContents(stored, keys, expected);
  } catch (error) {
    await store.delete(objectKey).catch(() => {});
    throw new Error(
      `${store.location(objectKey)} (stream ${expected.stream}, ${expected.day}): ${(error as Error).message}`,
    );
  }
  return {
    objectKey,
    location: store.location(objectKey),
    bytes: sealed.byteLength,
    sha256,
    keyId: keys.active.id,
    rows: expected.rows,
    firstSeq: expected.firstSeq,
    lastSeq: expected.lastSeq,
  };
}

/** Opens `bytes` and checks its Parquet against what its metadata (or `expected`) says. */
export async function checkContents(
  bytes: Uint8Array,
  keys: KekLookup,
  expected: Pick<ArchiveMeta, "rows" | "firstSeq" | "lastSeq">,
): Promise<void> {
  const { plaintext } = openArchive(bytes, keys);
  const summary = await summarizeArchiveFile(plaintext);
  if (summary.rows !== expected.rows || !summary.ordered) {
    throw new Error(
      `file holds ${summary.rows} rows (ordered: ${summary.ordered}), expected ${expected.rows}`,
    );
  }
  if (summary.firstSeq !== expected.firstSeq || summary.lastSeq !== expected.lastSeq) {
    throw new Error(
      `file holds seqs ${summary.firstSeq}–${summary.lastSeq}, expected ${expected.firstSeq}–${expected.lastSeq}`,
    );
  }
}

export interface OpenedDay {
  /** Null for a plaintext file from before encryption. */
  meta: ArchiveMeta | null;
  keyId: string | null;
  rows: ArchiveRow[];
  /** The Parquet file's own key-value metadata (`facedrift.*`). */
  info: Record<string, string>;
}

/**
 * Reads a record's object: the stored bytes must match the record's SHA-256, a sealed file must
 * open with the ring, and its authenticated metadata must name the record's stream and day.
 */
export async function openRecord(
  store: ArchiveStore,
  keys: KekLookup | null,
  record: Pick<ArchiveRecord, "objectKey" | "sha256" | "streamId" | "day">,
): Promise<OpenedDay> {
  const bytes = await store.get(record.objectKey);
  if (sha256Hex(bytes) !== record.sha256)
    throw new Error("stored object's SHA-256 differs from the record's");
  if (!isSealedArchive(bytes)) {
    const { info, rows } = await readArchiveFile(bytes);
    return { meta: null, keyId: null, rows, info };
  }
  if (!keys)
    throw new Error("archive is encrypted and no archive key is configured (FACEDRIFT_ARCHIVE_KEYS)");
  const { meta, kekId, plaintext } = openArchive(bytes, keys);
  if (meta.streamId !== record.streamId || meta.day !== record.day) {
    throw new Error(
      `file says it holds stream ${meta.streamId} on ${meta.day}, the record stream ${record.streamId} on ${record.day}`,
    );
  }
  const { info, rows } = await readArchiveFile(plaintext);
  if (rows.length !== meta.rows)
    throw new Error(`file holds ${rows.length} rows, its metadata says ${meta.rows}`);
  return { meta, keyId: kekId, rows, info };
}

/**
 * Points a day's record at a rewritten object if it still points at `fromKey` (compare-and-set),
 * and deletes the replaced object; when another rewriter got there first, deletes ours instead
 * and returns false, so the caller reads the day again.
 */
export async function swapRecordObject(
  db: Executor,
  store: ArchiveStore,
  recordId: number,
  fromKey: string,
  next: StoredObject,
  erasedRows = 0,
): Promise<boolean> {
  const updated = await queryRows<{ id: number }>(
    db,
    sql`UPDATE embedding_archives SET object_key = ${next.objectKey}, location = ${next.location},
          rows = ${next.rows}, bytes = ${next.bytes}, sha256 = ${next.sha256}, key_id = ${next.keyId},
          first_seq = ${next.firstSeq}, last_seq = ${next.lastSeq},
          erased_rows = erased_rows + ${erasedRows}, updated_at = now()
        WHERE id = ${recordId} AND object_key = ${fromKey} RETURNING id::int AS id`,
  );
  if (updated.length === 0) {
    await store.delete(next.objectKey);
    return false;
  }
  await store.delete(fromKey);
  return true;
}

/** Seq range of rows in seq order, as the metadata records it. */
export function seqRange(rows: readonly ArchiveRow[]): { firstSeq: number | null; lastSeq: number | null } {
  return {
    firstSeq: rows.length > 0 ? Number(rows[0]?.seq) : null,
    lastSeq: rows.length > 0 ? Number(rows.at(-1)?.seq) : null,
  };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
