import { sql } from "drizzle-orm";
import type { Db } from "./database.ts";

/**
 * Readiness: the database answers a query over the tables every request touches, within a time
 * limit. `SELECT 1` is not enough: it needs no table, so it kept answering while a data folder two
 * processes had written was corrupt and every real query failed. Counting the rows of `streams`,
 * `stream_cursors` and `api_keys` reads each of their tuples (small tables, one row per camera,
 * worker or key), so a broken catalog, a missing relation or a page whose transaction status cannot
 * be resolved fails here too.
 */
export async function databaseReady(db: Db, timeoutMs = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([
      db.execute(
        sql`SELECT (SELECT count(*) FROM streams) + (SELECT count(*) FROM stream_cursors)
                 + (SELECT count(*) FROM api_keys) AS n`,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
