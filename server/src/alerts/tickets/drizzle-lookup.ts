/**
 * @module
 * `TicketLookup` over the database: a batch alert's row keeps its run id (`payload.runId`); a
 * verification alert's run was stored by a job (`result.verificationRunId`) whose payload names
 * the drift run that queued it (`trigger.driftRunId`), and that run's batch alert its severity.
 */
import { sql } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import { queryRows } from "../../db/database.ts";
import type { AlertSeverity } from "../types.ts";
import type { TicketLookup } from "./from-alert.ts";

export function createTicketLookup(db: Executor): TicketLookup {
  return {
    runOfBatchAlert: async (alertId) => {
      const [row] = await queryRows<{ run: string | null }>(
        db,
        sql`SELECT payload->>'runId' AS run FROM alerts WHERE id = ${alertId} AND detector = 'batch'`,
      );
      return row?.run ? Number(row.run) : null;
    },
    driftOfVerificationAlert: async (alertId) => {
      const [row] = await queryRows<{ run: string; severity: AlertSeverity | null }>(
        db,
        sql`SELECT j.payload->'trigger'->>'driftRunId' AS run,
              (SELECT b.severity FROM alerts b
               WHERE b.detector = 'batch' AND b.stream_id = v.stream_id
                 AND b.payload->>'runId' = j.payload->'trigger'->>'driftRunId'
               ORDER BY b.id LIMIT 1) AS severity
            FROM alerts v
            JOIN jobs j ON j.kind = 'verification'
              AND j.result->>'verificationRunId' = v.payload->>'verificationRunId'
            WHERE v.id = ${alertId} AND v.detector = 'verification'
              AND j.payload->'trigger'->>'kind' = 'batch-drift'`,
      );
      if (!row?.run) return null;
      return { runId: Number(row.run), severity: row.severity ?? "warning" };
    },
  };
}
