import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/database.ts";
import { incidents } from "../../db/schema/incident.ts";
import { FacedriftError } from "../../errors.ts";
import { historyEntry } from "../../incidents/store.ts";
import { recordAudit } from "../audit/record.ts";
import { getIncident, type IncidentDetail } from "./get.ts";

/**
 * Someone is looking: an open incident becomes acknowledged (who, when, the optional note in its
 * history). Findings keep attaching to it, and an escalation still notifies — acknowledging says
 * "mine", not "quiet". Acknowledging again changes nothing; a resolved incident is a 409.
 */
export async function acknowledgeIncident(
  db: Db,
  input: { tenantId: number; id: number; actor: string; note?: string },
): Promise<IncidentDetail> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ status: incidents.status, severity: incidents.severity })
      .from(incidents)
      .where(and(eq(incidents.id, input.id), eq(incidents.tenantId, input.tenantId)))
      .for("update");
    if (!row) throw new FacedriftError("not_found", "no such incident", { field: "id" });
    if (row.status === "resolved") {
      throw new FacedriftError("conflict", "the incident is resolved; there is nothing to acknowledge", {
        field: "id",
      });
    }
    if (row.status === "acknowledged") return;
    const at = new Date();
    const entry = historyEntry("acknowledged", row.severity, {
      by: input.actor,
      at,
      ...(input.note ? { note: input.note } : {}),
    });
    await tx
      .update(incidents)
      .set({
        status: "acknowledged",
        acknowledgedAt: at,
        acknowledgedBy: input.actor,
        history: sql`${incidents.history} || ${JSON.stringify([entry])}::jsonb`,
      })
      .where(eq(incidents.id, input.id));
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: "incident.acknowledge",
      target: `incident:${input.id}`,
      details: input.note ? { note: input.note } : {},
    });
  });
  return getIncident(db, input.tenantId, input.id);
}
