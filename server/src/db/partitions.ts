import { sql } from "drizzle-orm";
import { sqlState } from "../errors.ts";
import type { Executor } from "./database.ts";
import { queryRows } from "./database.ts";

/** How many days of partitions exist ahead of today, so a day never starts without one. */
export const PARTITION_DAYS_AHEAD = 7;
const DAY_MS = 86_400_000;

/** `2026-11-26` for the UTC day of `time`. */
export function utcDay(time: Date): string {
  return time.toISOString().slice(0, 10);
}

export function partitionName(day: string): string {
  return `embeddings_p${day.replaceAll("-", "")}`;
}

/** Days for which this process already ensured a partition exists (per database handle). */
const ensuredDays = new WeakMap<object, Set<string>>();

/**
 * Creates the daily partitions of `embeddings` from the day of `from` to `daysAhead` days later.
 * Safe to run concurrently from several processes (a lost race on CREATE is ignored). If rows for a
 * day already sit in the default partition, that day cannot get its own partition; it is skipped
 * and stays in the default one, which retention still empties.
 */
export async function ensureEmbeddingPartitions(
  executor: Executor,
  from: Date,
  daysAhead = PARTITION_DAYS_AHEAD,
): Promise<string[]> {
  const created: string[] = [];
  const start = Date.parse(`${utcDay(from)}T00:00:00Z`);
  for (let i = 0; i <= daysAhead; i++) {
    const day = utcDay(new Date(start + i * DAY_MS));
    const next = utcDay(new Date(start + (i + 1) * DAY_MS));
    const name = partitionName(day);
    try {
      await executor.execute(
        sql.raw(
          `CREATE TABLE IF NOT EXISTS "${name}" PARTITION OF "embeddings" ` +
            `FOR VALUES FROM ('${day}T00:00:00Z') TO ('${next}T00:00:00Z')`,
        ),
      );
      created.push(name);
    } catch (error) {
      // 42P07 duplicate_table: another process won the race. 23514: rows for that day are
      // already in the default partition.
      const state = sqlState(error);
      if (state !== "42P07" && state !== "23514" && state !== "23505") throw error;
    }
  }
  const days = ensuredDays.get(executor) ?? new Set<string>();
  for (let i = 0; i <= daysAhead; i++) days.add(utcDay(new Date(start + i * DAY_MS)));
  ensuredDays.set(executor, days);
  return created;
}

/**
 * Makes sure the partition for `time` exists, touching the database only when this process has
 * not ensured it yet (once a day in steady state).
 */
export async function ensurePartitionFor(executor: Executor, time: Date): Promise<void> {
  if (ensuredDays.get(executor)?.has(utcDay(time))) return;
  await ensureEmbeddingPartitions(executor, time);
}

export interface RetentionResult {
  droppedPartitions: string[];
  deletedIds: number;
}

/**
 * Drops every whole day of embeddings received before `cutoff` (rounded down to a UTC day):
 * `DROP TABLE` of each old partition, which is cheap regardless of row count, then the matching
 * rows of the default partition, of the idempotency ledger and of the extraction reports, and the streaming worker's cached
 * scores of every row that goes (`embedding_scores` has no key to the partitioned table, so they
 * are deleted by seq first). Ids older than the cutoff may be
 * accepted again afterwards, which is the point of forgetting them.
 */
export async function dropEmbeddingsBefore(executor: Executor, cutoff: Date): Promise<RetentionResult> {
  const cutoffDay = utcDay(cutoff);
  const children = await queryRows<{ name: string }>(
    executor,
    sql`SELECT c.relname::text AS name FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = 'embeddings'`,
  );
  const droppedPartitions: string[] = [];
  for (const { name } of children) {
    const match = /^embeddings_p(\d{4})(\d{2})(\d{2})$/.exec(name);
    if (!match) continue;
    const day = `${match[1]}-${match[2]}-${match[3]}`;
    if (day < cutoffDay) {
      // The streaming worker's cached scores of these rows are derived from their vectors.
      await executor.execute(
        sql.raw(
          `DELETE FROM embedding_scores s USING "${name}" e WHERE s.stream_id = e.stream_id AND s.seq = e.seq`,
        ),
      );
      await executor.execute(sql.raw(`DROP TABLE IF EXISTS "${name}"`));
      droppedPartitions.push(name);
    }
  }
  const bound = `${cutoffDay}T00:00:00Z`;
  await executor.execute(
    sql`WITH gone AS (DELETE FROM embeddings_default WHERE received_at < ${bound}::timestamptz RETURNING stream_id, seq)
        DELETE FROM embedding_scores s USING gone WHERE s.stream_id = gone.stream_id AND s.seq = gone.seq`,
  );
  const deleted = await queryRows<{ n: number }>(
    executor,
    sql`WITH d AS (DELETE FROM embedding_ids WHERE received_at < ${bound}::timestamptz RETURNING 1)
        SELECT count(*)::int AS n FROM d`,
  );
  // Extraction reports (counts of what a client's pipeline tried) go with the days they came with,
  // and their ids are forgotten the same way; `last_extraction_seq` keeps counting.
  await executor.execute(sql`DELETE FROM extraction_reports WHERE received_at < ${bound}::timestamptz`);
  // The per-stream counters were kept incrementally; after dropping days, recount the streams.
  await executor.execute(
    sql`UPDATE streams SET embedding_count = (SELECT count(*) FROM embeddings e WHERE e.stream_id = streams.id)`,
  );
  return { droppedPartitions: droppedPartitions.sort(), deletedIds: deleted[0]?.n ?? 0 };
}
