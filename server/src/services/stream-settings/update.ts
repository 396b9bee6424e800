import { and, eq } from "drizzle-orm";
import type { Db, Executor } from "../../db/database.ts";
import { streams } from "../../db/schema/stream.ts";
import { FacedriftError } from "../../errors.ts";
import { recordAudit } from "../audit/record.ts";
import {
  type AlertRules,
  alertRulesOf,
  type CheckProfile,
  checkSchedule,
  type PsiBinSetting,
  type StreamSettings,
  toStreamSettings,
} from "./settings.ts";

/** A partial update: absent fields are kept; null clears one (back to the default, or off). */
export interface StreamSettingsPatch {
  schedule?: string | null;
  windowSize?: number | null;
  retentionDays?: number | null;
  psiBins?: PsiBinSetting | null;
  checkProfile?: CheckProfile | null;
  alertRules?: Partial<AlertRules>;
}

/** A stream's settings, by name within the tenant (another tenant's stream is a 404). */
export async function getStreamSettings(
  db: Executor,
  tenantId: number,
  name: string,
): Promise<StreamSettings> {
  const row = await findRow(db, tenantId, name);
  return toStreamSettings(row.checkSchedule, row.settings);
}

/**
 * Applies `patch` and records who changed what in the audit log, in one transaction: the row is
 * read `FOR UPDATE`, so two editors cannot lose each other's fields of `settings`.
 */
export async function updateStreamSettings(
  db: Db,
  input: { tenantId: number; name: string; actor: string; patch: StreamSettingsPatch },
): Promise<StreamSettings> {
  const { patch } = input;
  if (typeof patch.schedule === "string") checkSchedule(patch.schedule);
  return db.transaction(async (tx) => {
    const row = await findRow(tx, input.tenantId, input.name, true);
    const settings: Record<string, unknown> = { ...row.settings };
    setOrClear(settings, "windowSize", patch.windowSize);
    setOrClear(settings, "retentionDays", patch.retentionDays);
    setOrClear(settings, "psiBins", patch.psiBins);
    setOrClear(settings, "checkProfile", patch.checkProfile);
    if (patch.alertRules !== undefined) {
      const current = alertRulesOf(row.settings);
      const { calmMinutes, notifyFrom, psiPersistence } = patch.alertRules;
      settings.alertRules = {
        calmMinutes: calmMinutes === undefined ? current.calmMinutes : calmMinutes,
        notifyFrom: notifyFrom === undefined ? current.notifyFrom : notifyFrom,
        psiPersistence: psiPersistence === undefined ? current.psiPersistence : psiPersistence,
      };
    }
    const schedule = patch.schedule === undefined ? row.checkSchedule : patch.schedule;
    await tx.update(streams).set({ settings, checkSchedule: schedule }).where(eq(streams.id, row.id));
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: "stream.settings.update",
      target: `stream:${input.name}`,
      details: { ...patch },
    });
    return toStreamSettings(schedule, settings);
  });
}

function setOrClear(
  settings: Record<string, unknown>,
  key: string,
  value: number | string | null | undefined,
): void {
  if (value === null) delete settings[key];
  else if (value !== undefined) settings[key] = value;
}

async function findRow(db: Executor, tenantId: number, name: string, forUpdate = false) {
  const query = db
    .select({ id: streams.id, checkSchedule: streams.checkSchedule, settings: streams.settings })
    .from(streams)
    .where(and(eq(streams.tenantId, tenantId), eq(streams.name, name)));
  const [row] = forUpdate ? await query.for("update") : await query;
  if (!row) throw new FacedriftError("not_found", `stream "${name}" does not exist`, { field: "stream" });
  return row;
}
