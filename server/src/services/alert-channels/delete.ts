import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/database.ts";
import { alertChannels } from "../../db/schema/alert-channel.ts";
import { FacedriftError } from "../../errors.ts";
import { recordAudit } from "../audit/record.ts";

/** Deletes one of the tenant's channels; its delivery history stays (`channel_id` set null). */
export async function deleteAlertChannel(db: Db, input: { tenantId: number; id: number; actor: string }) {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .delete(alertChannels)
      .where(and(eq(alertChannels.id, input.id), eq(alertChannels.tenantId, input.tenantId)))
      .returning({ name: alertChannels.name, type: alertChannels.type });
    if (!row) throw new FacedriftError("not_found", "no such alert channel", { field: "id" });
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: "alert_channel.delete",
      target: `alert_channel:${input.id}`,
      details: { type: row.type, name: row.name },
    });
  });
}
