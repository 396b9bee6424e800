import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/database.ts";
import { alerts } from "../../db/schema/alert.ts";
import { streams } from "../../db/schema/stream.ts";
import { FacedriftError } from "../../errors.ts";
import { recordAudit } from "../audit/record.ts";
import { type AlertView, alertViewColumns, toAlertView } from "./view.ts";

/**
 * Marks one of the tenant's alerts acknowledged, keeping who did it and the optional note in
 * `payload.acknowledgement`. Acknowledging again changes nothing: the first acknowledgement
 * (time, actor, note) stands. Another tenant's alert is 404.
 */
export async function acknowledgeAlert(
  db: Db,
  input: { tenantId: number; id: number; actor: string; note?: string },
): Promise<AlertView> {
  return db.transaction(async (tx) => {
    const acknowledgement = { by: input.actor, note: input.note ?? null, at: new Date().toISOString() };
    const updated = await tx
      .update(alerts)
      .set({
        acknowledgedAt: sql`now()`,
        payload: sql`${alerts.payload} || jsonb_build_object('acknowledgement', ${JSON.stringify(acknowledgement)}::jsonb)`,
      })
      .where(
        and(
          eq(alerts.id, input.id),
          eq(alerts.tenantId, input.tenantId),
          sql`${alerts.acknowledgedAt} IS NULL`,
        ),
      )
      .returning({ id: alerts.id });
    if (updated.length > 0) {
      await recordAudit(tx, {
        tenantId: input.tenantId,
        actor: input.actor,
        action: "alert.acknowledge",
        target: `alert:${input.id}`,
        details: input.note ? { note: input.note } : {},
      });
    }
    const [row] = await tx
      .select(alertViewColumns)
      .from(alerts)
      .innerJoin(streams, eq(streams.id, alerts.streamId))
      .where(and(eq(alerts.id, input.id), eq(alerts.tenantId, input.tenantId)));
    if (!row) throw new FacedriftError("not_found", "no such alert", { field: "id" });
    return toAlertView(row);
  });
}
