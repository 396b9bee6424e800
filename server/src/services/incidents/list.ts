import { and, desc, eq, gte, inArray, lt, lte, ne } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import type { AlertSeverity } from "../../db/schema/alert.ts";
import { type FindingCategory, type IncidentStatus, incidents } from "../../db/schema/incident.ts";
import { streams } from "../../db/schema/stream.ts";
import { SEVERITY_RANK } from "../../incidents/severity.ts";
import { type Page, pageOf } from "../paging.ts";
import { type IncidentView, incidentColumns, toIncidentView } from "./view.ts";

export interface IncidentQuery {
  tenantId: number;
  stream?: string;
  /** `active`: open or acknowledged. */
  status?: IncidentStatus | "active";
  /** At least this severity. */
  severity?: AlertSeverity;
  category?: FindingCategory;
  /** Bounds on when it opened. */
  from?: Date;
  to?: Date;
  before?: number;
  limit: number;
}

/** The tenant's incidents, newest first, filtered; an unknown stream name matches nothing. */
export async function listIncidents(db: Executor, query: IncidentQuery): Promise<Page<IncidentView>> {
  const severities = query.severity
    ? (Object.keys(SEVERITY_RANK) as AlertSeverity[]).filter(
        (s) => SEVERITY_RANK[s] >= SEVERITY_RANK[query.severity as AlertSeverity],
      )
    : undefined;
  const rows = await db
    .select(incidentColumns)
    .from(incidents)
    .innerJoin(streams, eq(streams.id, incidents.streamId))
    .where(
      and(
        eq(incidents.tenantId, query.tenantId),
        query.stream !== undefined ? eq(streams.name, query.stream) : undefined,
        query.status === "active"
          ? ne(incidents.status, "resolved")
          : query.status
            ? eq(incidents.status, query.status)
            : undefined,
        severities ? inArray(incidents.severity, severities) : undefined,
        query.category ? eq(incidents.category, query.category) : undefined,
        query.from ? gte(incidents.openedAt, query.from) : undefined,
        query.to ? lte(incidents.openedAt, query.to) : undefined,
        query.before !== undefined ? lt(incidents.id, query.before) : undefined,
      ),
    )
    .orderBy(desc(incidents.id))
    .limit(query.limit + 1);
  return pageOf(rows.map(toIncidentView), query.limit);
}
