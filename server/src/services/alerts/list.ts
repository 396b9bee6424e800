import { and, desc, eq, gte, isNotNull, isNull, lt, lte } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import type { AlertDetector, AlertSeverity } from "../../db/schema/alert.ts";
import { alerts } from "../../db/schema/alert.ts";
import { streams } from "../../db/schema/stream.ts";
import { type Page, pageOf } from "../paging.ts";
import { type AlertView, alertViewColumns, toAlertView } from "./view.ts";

export interface AlertQuery {
  tenantId: number;
  stream?: string;
  detector?: AlertDetector;
  severity?: AlertSeverity;
  acknowledged?: boolean;
  incident?: number;
  from?: Date;
  to?: Date;
  before?: number;
  limit: number;
}

/** The tenant's findings (alerts), newest first, filtered; an unknown stream name simply matches nothing. */
export async function listAlerts(db: Executor, query: AlertQuery): Promise<Page<AlertView>> {
  const rows = await db
    .select(alertViewColumns)
    .from(alerts)
    .innerJoin(streams, eq(streams.id, alerts.streamId))
    .where(
      and(
        eq(alerts.tenantId, query.tenantId),
        query.stream !== undefined ? eq(streams.name, query.stream) : undefined,
        query.detector ? eq(alerts.detector, query.detector) : undefined,
        query.severity ? eq(alerts.severity, query.severity) : undefined,
        query.acknowledged === undefined
          ? undefined
          : query.acknowledged
            ? isNotNull(alerts.acknowledgedAt)
            : isNull(alerts.acknowledgedAt),
        query.incident !== undefined ? eq(alerts.incidentId, query.incident) : undefined,
        query.from ? gte(alerts.createdAt, query.from) : undefined,
        query.to ? lte(alerts.createdAt, query.to) : undefined,
        query.before !== undefined ? lt(alerts.id, query.before) : undefined,
      ),
    )
    .orderBy(desc(alerts.id))
    .limit(query.limit + 1);
  return pageOf(rows.map(toAlertView), query.limit);
}
