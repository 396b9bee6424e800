/**
 * @module
 * Retention with an archive: each stream's days older than its retention are written to Parquet
 * (`parquet.ts`), sealed with envelope encryption (`envelope.ts`, a data key per file wrapped by
 * the configured key-encryption key), stored (`ArchiveStore`), read back from the store and
 * checked (SHA-256, opens with the key, row count, seq range), recorded in `embedding_archives`,
 * and only then deleted from the database, with their idempotency-ledger entries, in one
 * transaction with the record.
 *
 * A stream's retention is `streams.settings.retentionDays` when that is a positive integer, else
 * the configured default. Partitions hold one day of every stream, and streams may keep days for
 * different lengths of time, so a day is deleted per stream (`DELETE`), and a day's partition is
 * dropped once every stream's rows are out of it.
 *
 * Idempotent: a day with an `embedding_archives` row is not written again; if its rows are still
 * there (restored with `archive restore`, whose hold is over, or rows inserted afterwards with an
 * old receive time) they are deleted only when their count matches the archive's, otherwise they
 * are left alone and reported. A privacy erasure that removes rows of a day while it is being
 * written makes the delete count differ from the file's: the transaction is rolled back, the new
 * object deleted, and the day is written again on the next run (`status: "changed"`).
 *
 * Memory: one stream-day is built in memory (and read back once), so a day of a million 512-D
 * vectors needs about 2 GB twice over; stream the writer to a file before archiving days that size.
 */
import { sql } from "drizzle-orm";
import type { Database, Executor } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { utcDay } from "../db/partitions.ts";
import { parseVectorText } from "../db/schema/vector-column.ts";
import { type ArchiveKeyRing, ArchiveKeysMissing } from "./archive-keys.ts";
import { storeSealed } from "./archive-object.ts";
import type { ArchiveStore } from "./archive-store.ts";
import { ArchiveFileWriter, type ArchiveRow } from "./parquet.ts";

const DAY_MS = 86_400_000;
export const DEFAULT_RETENTION_DAYS = 30;

export interface ArchiveOptions {
  store: ArchiveStore;
  /** Seals new files with its active key; null (no key configured) stops before the first write. */
  keys: ArchiveKeyRing | null;
  /** Days kept by streams without their own `settings.retentionDays`. */
  retentionDays?: number;
  /** Archive every stream's days before this day instead (overrides retention). */
  before?: Date;
  now?: Date;
  /** List what would be archived; write and delete nothing. */
  dryRun?: boolean;
  onDay?: (day: ArchivedDay) => void;
  /** Rows per read and per row group. */
  chunkRows?: number;
}

/**
 * `restored`: archived before and brought back by `archive restore`, kept until its hold ends;
 * `changed`: rows of the day changed while it was written (an erasure), written again next run.
 */
export type DayStatus = "archived" | "planned" | "already-archived" | "mismatch" | "restored" | "changed";

export interface ArchivedDay {
  streamId: number;
  stream: string;
  day: string;
  rows: number;
  status: DayStatus;
  location: string;
  bytes?: number;
  sha256?: string;
}

export interface ArchiveReport {
  days: ArchivedDay[];
  deletedRows: number;
  droppedPartitions: string[];
}

interface StreamInfo {
  id: number;
  tenantId: number;
  name: string;
  modelId: string;
  modelVersion: string;
  dimension: number;
  cutoffDay: string;
}

export async function archiveExpired(database: Database, options: ArchiveOptions): Promise<ArchiveReport> {
  const db = database.db;
  const now = options.now ?? new Date();
  const streams = await streamCutoffs(db, options, now);
  const report: ArchiveReport = { days: [], deletedRows: 0, droppedPartitions: [] };
  if (streams.size === 0) return report;
  const latestCutoff = [...streams.values()].reduce((max, s) => (s.cutoffDay > max ? s.cutoffDay : max), "");
  const candidates = await queryRows<{ stream_id: number; day: string; n: number }>(
    db,
    sql`SELECT stream_id::int AS stream_id, to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
          count(*)::int AS n
        FROM embeddings WHERE received_at < ${`${latestCutoff}T00:00:00Z`}::timestamptz
        GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  for (const candidate of candidates) {
    const stream = streams.get(candidate.stream_id);
    if (!stream || candidate.day >= stream.cutoffDay) continue;
    const day = await archiveDay(database, stream, candidate.day, candidate.n, options);
    if (day.status === "archived" || (day.status === "already-archived" && !options.dryRun))
      report.deletedRows += day.rows;
    report.days.push(day);
    options.onDay?.(day);
  }
  // An empty partition of a day before every cutoff can go: rows are only ever received "now",
  // so a past day never fills again; the cutoff keeps today's and the pre-created days.
  if (!options.dryRun) report.droppedPartitions = await dropEmptyPartitionsBefore(db, latestCutoff);
  return report;
}

async function streamCutoffs(
  db: Executor,
  options: ArchiveOptions,
  now: Date,
): Promise<Map<number, StreamInfo>> {
  const rows = await queryRows<{
    id: number;
    tenant_id: number;
    name: string;
    model_id: string;
    model_version: string;
    dimension: number;
    retention: unknown;
  }>(
    db,
    sql`SELECT id::int AS id, tenant_id::int AS tenant_id, name, model_id, model_version, dimension, settings -> 'retentionDays' AS retention
        FROM streams`,
  );
  const fallback = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  const map = new Map<number, StreamInfo>();
  for (const row of rows) {
    const own = typeof row.retention === "number" && Number.isInteger(row.retention) && row.retention > 0;
    const days = own ? (row.retention as number) : fallback;
    const cutoffDay = options.before
      ? utcDay(options.before)
      : utcDay(new Date(now.getTime() - days * DAY_MS));
    map.set(row.id, {
      id: row.id,
      tenantId: row.tenant_id,
      name: row.name,
      modelId: row.model_id,
      modelVersion: row.model_version,
      dimension: row.dimension,
      cutoffDay,
    });
  }
  return map;
}

async function archiveDay(
  database: Database,
  stream: StreamInfo,
  day: string,
  rows: number,
  options: ArchiveOptions,
): Promise<ArchivedDay> {
  const db = database.db;
  const base = { streamId: stream.id, stream: stream.name, day, rows };
  const [existing] = await queryRows<{ rows: number; location: string; restored: boolean }>(
    db,
    sql`SELECT rows, location, coalesce(restored_until > ${(options.now ?? new Date()).toISOString()}::timestamptz, false) AS restored
        FROM embedding_archives WHERE stream_id = ${stream.id} AND day = ${day}::date`,
  );
  if (existing) {
    const at = { ...base, location: existing.location };
    if (existing.restored) return { ...at, status: "restored" };
    if (existing.rows !== rows) return { ...at, status: "mismatch" };
    if (!options.dryRun) await deleteDay(db, stream.id, day);
    return { ...at, status: "already-archived" };
  }
  if (options.dryRun)
    return {
      ...base,
      location: options.store.location(`${stream.id}/${day}.parquet.enc`),
      status: "planned",
    };
  if (!options.keys) throw new ArchiveKeysMissing();

  const built = await buildDayFile(db, stream, day, options.chunkRows ?? 5_000);
  const { firstSeq, lastSeq } = built;
  // What was read now, not the count that listed the day: an erasure may have come in between.
  rows = built.rows;
  base.rows = rows;
  const stored = await storeSealed(options.store, options.keys, built.bytes, {
    tenantId: stream.tenantId,
    streamId: stream.id,
    stream: stream.name,
    day,
    rows,
    firstSeq,
    lastSeq,
    model: `${stream.modelId}@${stream.modelVersion}`,
    dimension: stream.dimension,
  });
  const result = { ...base, location: stored.location, bytes: stored.bytes, sha256: stored.sha256 };
  let recorded: boolean;
  try {
    recorded = await db.transaction(async (tx) => {
      const inserted = await queryRows<{ id: number }>(
        tx,
        sql`INSERT INTO embedding_archives (stream_id, day, location, object_key, rows, bytes, sha256, key_id,
              first_seq, last_seq)
            VALUES (${stream.id}, ${day}::date, ${stored.location}, ${stored.objectKey}, ${rows}, ${stored.bytes},
              ${stored.sha256}, ${stored.keyId}, ${firstSeq}, ${lastSeq})
            ON CONFLICT (stream_id, day) DO NOTHING RETURNING id::int AS id`,
      );
      // Another archiver recorded this day first; it deletes the rows, not us.
      if (inserted.length === 0) return false;
      const deleted = await deleteDay(tx, stream.id, day);
      if (deleted !== rows) throw new DayChanged();
      return true;
    });
  } catch (error) {
    await options.store.delete(stored.objectKey).catch(() => {});
    if (error instanceof DayChanged) return { ...result, status: "changed" };
    throw error;
  }
  if (!recorded) {
    await options.store.delete(stored.objectKey);
    return { ...result, status: "already-archived" };
  }
  return { ...result, status: "archived" };
}

/** The day's rows changed between reading them and deleting them: roll back, write it again. */
class DayChanged extends Error {}

/** Reads the stream's rows of `day` in seq order, chunk by chunk, into one Parquet file. */
async function buildDayFile(
  db: Executor,
  stream: StreamInfo,
  day: string,
  chunkRows: number,
): Promise<{ bytes: Uint8Array; rows: number; firstSeq: number | null; lastSeq: number | null }> {
  const writer = new ArchiveFileWriter({
    stream: stream.name,
    streamId: String(stream.id),
    day,
    model: `${stream.modelId}@${stream.modelVersion}`,
    dimension: String(stream.dimension),
  });
  const [from, to] = dayBounds(day);
  let after = "0";
  let firstSeq: number | null = null;
  let rows = 0;
  for (;;) {
    const chunk = await queryRows<{
      seq: string;
      client_id: string;
      event_us: string;
      received_us: string;
      model_id: string;
      model_version: string;
      source: string;
      device: string | null;
      metadata: string | null;
      embedding: string;
    }>(
      db,
      sql`SELECT seq::text AS seq, client_id,
            (extract(epoch FROM event_time) * 1000000)::bigint::text AS event_us,
            (extract(epoch FROM received_at) * 1000000)::bigint::text AS received_us,
            model_id, model_version, source, device, metadata::text AS metadata, embedding::text AS embedding
          FROM embeddings
          WHERE stream_id = ${stream.id} AND received_at >= ${from}::timestamptz AND received_at < ${to}::timestamptz
            AND seq > ${after}::bigint
          ORDER BY embeddings.seq LIMIT ${chunkRows}`,
    );
    writer.write(
      chunk.map(
        (r): ArchiveRow => ({
          seq: BigInt(r.seq),
          clientId: r.client_id,
          eventTimeUs: BigInt(r.event_us),
          receivedAtUs: BigInt(r.received_us),
          modelId: r.model_id,
          modelVersion: r.model_version,
          source: r.source,
          device: r.device,
          metadata: r.metadata,
          embedding: parseVectorText(r.embedding),
        }),
      ),
    );
    rows += chunk.length;
    const last = chunk.at(-1);
    if (firstSeq === null && chunk[0]) firstSeq = Number(chunk[0].seq);
    if (last) after = last.seq;
    if (!last || chunk.length < chunkRows) break;
  }
  return { bytes: writer.finish(), rows, firstSeq, lastSeq: firstSeq === null ? null : Number(after) };
}

/** Deletes the stream's rows of `day` (with their ledger entries and scores); returns how many. */
async function deleteDay(db: Executor, streamId: number, day: string): Promise<number> {
  const [from, to] = dayBounds(day);
  const [deleted] = await queryRows<{ n: number }>(
    db,
    sql`WITH gone AS (DELETE FROM embeddings WHERE stream_id = ${streamId}
                        AND received_at >= ${from}::timestamptz AND received_at < ${to}::timestamptz RETURNING seq),
             scored AS (DELETE FROM embedding_scores s USING gone
                        WHERE s.stream_id = ${streamId} AND s.seq = gone.seq RETURNING 1)
        SELECT count(*)::int AS n FROM gone`,
  );
  await db.execute(
    sql`DELETE FROM embedding_ids WHERE stream_id = ${streamId}
          AND received_at >= ${from}::timestamptz AND received_at < ${to}::timestamptz`,
  );
  await db.execute(
    sql`UPDATE streams SET embedding_count = greatest(0, embedding_count - ${deleted?.n ?? 0}) WHERE id = ${streamId}`,
  );
  return deleted?.n ?? 0;
}

/** Drops the day partitions before `cutoffDay` that no longer hold any row. */
async function dropEmptyPartitionsBefore(db: Executor, cutoffDay: string): Promise<string[]> {
  const children = await queryRows<{ name: string }>(
    db,
    sql`SELECT c.relname::text AS name FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = 'embeddings' ORDER BY 1`,
  );
  const dropped: string[] = [];
  for (const { name } of children) {
    const match = /^embeddings_p(\d{4})(\d{2})(\d{2})$/.exec(name);
    if (!match || `${match[1]}-${match[2]}-${match[3]}` >= cutoffDay) continue;
    const [row] = await queryRows<{ empty: boolean }>(
      db,
      sql.raw(`SELECT NOT EXISTS (SELECT 1 FROM "${name}") AS empty`),
    );
    if (!row?.empty) continue;
    await db.execute(sql.raw(`DROP TABLE IF EXISTS "${name}"`));
    dropped.push(name);
  }
  return dropped;
}

/** `[start, end)` of a UTC day as ISO times. */
export function dayBounds(day: string): [string, string] {
  const start = Date.parse(`${day}T00:00:00Z`);
  return [new Date(start).toISOString(), new Date(start + DAY_MS).toISOString()];
}
