import { sql } from "drizzle-orm";
import type { Executor } from "../db/database.ts";
import { queryRows } from "../db/database.ts";

/**
 * Extends the lease on a job the caller still owns; false when it was lost (the lease ran out and
 * another replica claimed the job), in which case the caller must stop working on it.
 */
export async function renewJobLease(
  db: Executor,
  jobId: number,
  owner: string,
  leaseMs: number,
): Promise<boolean> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`UPDATE jobs SET lease_until = now() + ${leaseMs} * interval '1 millisecond', updated_at = now()
        WHERE id = ${jobId} AND lease_owner = ${owner} AND status = 'running'
        RETURNING id::text AS id`,
  );
  return rows.length === 1;
}
