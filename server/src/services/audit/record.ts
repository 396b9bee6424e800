import type { Executor } from "../../db/database.ts";
import { auditLog } from "../../db/schema/audit-log.ts";
import type { Principal } from "../api-keys/authenticate.ts";

export interface AuditEntry {
  tenantId: number;
  /** `key:<id>` for API callers (see `actorOf`), `cli` for the command line. */
  actor: string;
  /** Dotted verb: `api_key.create`, `embeddings.delete`, `alert_channel.delete`, … */
  action: string;
  /** What was acted on: `api_key:12`, `stream:lobby`, `alert:7`. */
  target?: string;
  /** Never secrets, never raw personal identifiers (hash them, see `services/embeddings/delete.ts`). */
  details?: Record<string, unknown>;
}

/**
 * Appends one row to `audit_log`. Callers pass the same executor as the action itself, so the
 * audit row commits with the action or not at all.
 */
export async function recordAudit(db: Executor, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    tenantId: entry.tenantId,
    actor: entry.actor,
    action: entry.action,
    target: entry.target ?? null,
    details: entry.details ?? {},
  });
}

export function actorOf(principal: Principal): string {
  return principal.actor;
}
