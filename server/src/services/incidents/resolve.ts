import { and, eq, ne } from "drizzle-orm";
import type { IncidentNotification } from "../../alerts/types.ts";
import type { Db } from "../../db/database.ts";
import { incidents } from "../../db/schema/incident.ts";
import { streams } from "../../db/schema/stream.ts";
import { FacedriftError } from "../../errors.ts";
import { notificationOf } from "../../incidents/snapshot.ts";
import { resolveIncidentRow } from "../../incidents/store.ts";
import { recordAudit } from "../audit/record.ts";
import { getIncident, type IncidentDetail } from "./get.ts";

/**
 * A person closes the episode (the camera was fixed, the change is accepted): the incident is
 * resolved by them, with their note, and the next finding on the stream opens a new incident.
 * Returns the notification for the channels (when they had heard of it) to send after the
 * commit. Resolving a resolved incident changes nothing and notifies nobody.
 */
export async function resolveIncident(
  db: Db,
  input: { tenantId: number; id: number; actor: string; note?: string; dashboardBaseUrl: string },
): Promise<{ incident: IncidentDetail; notification: IncidentNotification | null }> {
  const notification = await db.transaction(async (tx) => {
    const [found] = await tx
      .select({ id: incidents.id })
      .from(incidents)
      .where(and(eq(incidents.id, input.id), eq(incidents.tenantId, input.tenantId)));
    if (!found) throw new FacedriftError("not_found", "no such incident", { field: "id" });
    const [row] = await tx
      .select()
      .from(incidents)
      .where(and(eq(incidents.id, input.id), ne(incidents.status, "resolved")))
      .for("update");
    if (!row) return null;
    const at = new Date();
    const resolved = await resolveIncidentRow(tx, row, {
      by: input.actor,
      at,
      ...(input.note ? { note: input.note } : {}),
    });
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: "incident.resolve",
      target: `incident:${input.id}`,
      details: input.note ? { note: input.note } : {},
    });
    if (resolved.notifiedSeverity === null) return null;
    const [stream] = await tx
      .select({ name: streams.name })
      .from(streams)
      .where(eq(streams.id, row.streamId));
    return notificationOf(resolved, stream?.name ?? "", "resolved", {
      previousSeverity: null,
      finding: null,
      at,
      baseUrl: input.dashboardBaseUrl,
    });
  });
  return { incident: await getIncident(db, input.tenantId, input.id), notification };
}
