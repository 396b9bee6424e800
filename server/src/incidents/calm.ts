/**
 * @module
 * Resolving incidents once their stream has been calm: no new finding for the stream's calm
 * period (`alertRules.calmMinutes`, default 6 h). `alerts/record.ts` does the same when a finding
 * arrives on a calm incident, so the rule holds even where no sweeper runs (a CLI check); the
 * sweeper makes it happen on time. Every replica may sweep: the resolve re-checks the incident
 * under its row lock, so exactly one of them resolves it and notifies.
 */
import { and, eq, ne, sql } from "drizzle-orm";
import type { IncidentNotification } from "../alerts/types.ts";
import type { Database } from "../db/database.ts";
import { incidents } from "../db/schema/incident.ts";
import { streams } from "../db/schema/stream.ts";
import { type Logger, silentLogger } from "../log.ts";
import { incidentRulesOf } from "../services/stream-settings/settings.ts";
import { notificationOf } from "./snapshot.ts";
import { resolveIncidentRow } from "./store.ts";

/**
 * Resolves every active incident calm for its stream's calm period at `now`; returns the
 * notifications to send (only for incidents channels had heard of).
 */
export async function resolveCalmIncidents(
  database: Database,
  options: { now?: Date; dashboardBaseUrl: string },
): Promise<IncidentNotification[]> {
  const { db } = database;
  const candidates = await db
    .select({ id: incidents.id, lastFindingAt: incidents.lastFindingAt, settings: streams.settings })
    .from(incidents)
    .innerJoin(streams, eq(streams.id, incidents.streamId))
    .where(ne(incidents.status, "resolved"));
  const now = options.now ?? new Date();
  const notifications: IncidentNotification[] = [];
  for (const candidate of candidates) {
    const { calmMs } = incidentRulesOf(candidate.settings);
    if (now.getTime() - candidate.lastFindingAt.getTime() < calmMs) continue;
    const notification = await db.transaction(async (tx) => {
      // Locked and checked again: a finding may have attached meanwhile, or another replica resolved it.
      const [row] = await tx
        .select()
        .from(incidents)
        .where(
          and(
            eq(incidents.id, candidate.id),
            ne(incidents.status, "resolved"),
            sql`${incidents.lastFindingAt} = ${candidate.lastFindingAt.toISOString()}::timestamptz`,
          ),
        )
        .for("update");
      if (!row) return null;
      const resolved = await resolveIncidentRow(tx, row, { by: "calm", at: now });
      if (resolved.notifiedSeverity === null) return null;
      const [stream] = await tx
        .select({ name: streams.name })
        .from(streams)
        .where(eq(streams.id, row.streamId));
      return notificationOf(resolved, stream?.name ?? String(row.streamId), "resolved", {
        previousSeverity: null,
        finding: null,
        at: now,
        baseUrl: options.dashboardBaseUrl,
      });
    });
    if (notification) notifications.push(notification);
  }
  return notifications;
}

export interface CalmSweeperOptions {
  database: Database;
  dashboardBaseUrl: string;
  /** Sends each resolve notification; `dispatchNotification` over the database's channels in `serve`. */
  dispatch: (notification: IncidentNotification) => void;
  intervalMs?: number;
  log?: Logger;
}

/** Sweeps every `intervalMs` (default a minute) in the background of `facedrift serve`. */
export class CalmSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: CalmSweeperOptions) {}

  start(): void {
    if (this.timer) return;
    const loop = () => {
      this.running ??= this.sweep()
        .then(() => undefined)
        .catch((error) =>
          (this.options.log ?? silentLogger)("error", "incident calm sweep failed", { error: String(error) }),
        )
        .finally(() => {
          this.running = undefined;
        });
    };
    this.timer = setInterval(loop, this.options.intervalMs ?? 60_000);
    this.timer.unref();
    loop();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One sweep; returns how many incidents it resolved with a notification. */
  async sweep(now?: Date): Promise<number> {
    const notifications = await resolveCalmIncidents(this.options.database, {
      dashboardBaseUrl: this.options.dashboardBaseUrl,
      ...(now ? { now } : {}),
    });
    for (const notification of notifications) this.options.dispatch(notification);
    return notifications.length;
  }
}
