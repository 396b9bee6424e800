/**
 * @module
 * Findings (alert rows) and incidents opened per hour or per day, by severity, for the dashboard's
 * bar chart. Buckets are UTC and dense (a quiet hour is a zero, not a gap), on detection time
 * (`created_at`, `opened_at`): "how many alerts did we get on Tuesday", not when the faces were
 * captured. Counted in the database; only the counts leave it.
 */
import { sql } from "drizzle-orm";
import { type Executor, queryRows } from "../../db/database.ts";
import type { AlertSeverity } from "../../db/schema/alert.ts";
import { FacedriftError } from "../../errors.ts";

export const ACTIVITY_BUCKETS = ["hour", "day"] as const;
export type ActivityBucket = (typeof ACTIVITY_BUCKETS)[number];
const BUCKET_MS: Record<ActivityBucket, number> = { hour: 3_600_000, day: 86_400_000 };
/** At most this many bars: 31 days of hours, three years of days. */
export const MAX_ACTIVITY_BUCKETS = 1_000;

export interface ActivityBar {
  /** The bucket's start, UTC. */
  start: string;
  findings: Record<AlertSeverity, number>;
  incidentsOpened: number;
}

export interface AlertActivity {
  bucket: ActivityBucket;
  from: string;
  to: string;
  bars: ActivityBar[];
}

/** The start of the UTC hour or day holding `at`. */
export function bucketStart(at: Date, bucket: ActivityBucket): Date {
  const size = BUCKET_MS[bucket];
  return new Date(Math.floor(at.getTime() / size) * size);
}

export async function alertActivity(
  db: Executor,
  query: { tenantId: number; bucket: ActivityBucket; from: Date; to: Date; streamId?: number },
): Promise<AlertActivity> {
  const size = BUCKET_MS[query.bucket];
  const first = bucketStart(query.from, query.bucket);
  const last = bucketStart(query.to, query.bucket);
  if (last < first) throw new FacedriftError("invalid_request", "from must be before to", { field: "from" });
  const count = (last.getTime() - first.getTime()) / size + 1;
  if (count > MAX_ACTIVITY_BUCKETS) {
    throw new FacedriftError(
      "invalid_request",
      `${count} ${query.bucket}s is more than ${MAX_ACTIVITY_BUCKETS} bars: narrow the range or count by day`,
      { field: "from" },
    );
  }
  const end = new Date(last.getTime() + size);
  const stream = query.streamId === undefined ? sql`` : sql`AND stream_id = ${query.streamId}`;
  // Epoch arithmetic, not date_trunc: the buckets are UTC whatever the session's time zone.
  const bucketOf = (column: string) =>
    sql.raw(`(floor(extract(epoch FROM ${column}) * 1000 / ${size}) * ${size})::float8`);
  const findings = await queryRows<{ at: number; severity: AlertSeverity; n: number }>(
    db,
    sql`SELECT ${bucketOf("created_at")} AS at, severity, count(*)::int AS n FROM alerts
        WHERE tenant_id = ${query.tenantId} AND created_at >= ${first.toISOString()}
          AND created_at < ${end.toISOString()} ${stream}
        GROUP BY 1, 2`,
  );
  const opened = await queryRows<{ at: number; n: number }>(
    db,
    sql`SELECT ${bucketOf("opened_at")} AS at, count(*)::int AS n FROM incidents
        WHERE tenant_id = ${query.tenantId} AND opened_at >= ${first.toISOString()}
          AND opened_at < ${end.toISOString()} ${stream}
        GROUP BY 1`,
  );
  const bars: ActivityBar[] = Array.from({ length: count }, (_, i) => ({
    start: new Date(first.getTime() + i * size).toISOString(),
    findings: { info: 0, warning: 0, critical: 0 },
    incidentsOpened: 0,
  }));
  const index = (at: number) => Math.round((Number(at) - first.getTime()) / size);
  for (const row of findings) {
    const bar = bars[index(row.at)];
    if (bar) bar.findings[row.severity] += row.n;
  }
  for (const row of opened) {
    const bar = bars[index(row.at)];
    if (bar) bar.incidentsOpened += row.n;
  }
  return { bucket: query.bucket, from: first.toISOString(), to: end.toISOString(), bars };
}
