/**
 * @module
 * What a `postgres` load run saturates, measured beside it: CPU seconds of the servers, of every
 * PostgreSQL process and of the load generator (from `/proc`, so the 2-core split is visible); the
 * WAL written (`pg_current_wal_lsn` before and after); where the database's time went by statement
 * (`pg_stat_statements`, reset at the start); and what its busy sessions waited on (wait events of
 * `pg_stat_activity`, sampled every 100 ms).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { openPostgres } from "../../src/db/postgres.ts";
import type { OwnPostgres } from "../../src/db/testing/own-postgres.ts";

/** `/proc/<pid>/stat` user + system time in clock ticks (100 per second on Linux), with the parent pid. */
function procTimes(pid: number): { ticks: number; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command (which may hold spaces) in parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** CPU ticks of the postmaster and all its children. */
function postgresTicks(postmaster: number): number {
  let ticks = procTimes(postmaster)?.ticks ?? 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const times = procTimes(Number(entry));
    if (times?.ppid === postmaster) ticks += times.ticks;
  }
  return ticks;
}

const TICKS_PER_SECOND = 100;

export interface PostgresObservation {
  /** CPU seconds over the run, by who spent them. */
  cpuSeconds: { servers: number; postgres: number; loadGenerator: number };
  walBytes: number;
  /** WAL per embedding acknowledged (the caller divides; 0 when nothing was). */
  walBytesPerEmbedding?: number;
  /** Share of 100 ms samples of active sessions by wait event ("CPU" when none). */
  waitEvents: Record<string, number>;
  /** The five statements with the most execution time. */
  topStatements: { query: string; calls: number; totalMs: number; meanMs: number; rows: number }[];
  settings: Record<string, string>;
}

export interface Observer {
  stop(): Promise<PostgresObservation>;
}

export async function observePostgres(
  cluster: OwnPostgres,
  databaseUrl: string,
  serverPids: readonly number[],
): Promise<Observer> {
  const postmaster = Number(readFileSync(join(cluster.dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  const db = openPostgres(databaseUrl, { max: 1 });
  const sql = db.client;
  await sql`SELECT pg_stat_statements_reset()`;
  const [lsn] = await sql<{ lsn: string }[]>`SELECT pg_current_wal_lsn()::text AS lsn`;
  const startServers = serverPids.reduce((sum, pid) => sum + (procTimes(pid)?.ticks ?? 0), 0);
  const startPostgres = postgresTicks(postmaster);
  const startClient = process.cpuUsage();
  const waits = new Map<string, number>();
  let samples = 0;
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(async () => {
      const rows = await sql<{ wait: string; n: number }[]>`
        SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS wait, count(*)::int AS n
        FROM pg_stat_activity
        WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()
        GROUP BY 1`.catch(() => []);
      for (const row of rows) {
        waits.set(row.wait, (waits.get(row.wait) ?? 0) + row.n);
        samples += row.n;
      }
    });
  }, 100);
  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      const client = process.cpuUsage(startClient);
      const cpuSeconds = {
        servers:
          (serverPids.reduce((sum, pid) => sum + (procTimes(pid)?.ticks ?? 0), 0) - startServers) /
          TICKS_PER_SECOND,
        postgres: (postgresTicks(postmaster) - startPostgres) / TICKS_PER_SECOND,
        loadGenerator: Math.round((client.user + client.system) / 1e4) / 100,
      };
      try {
        const [wal] = await sql<{ bytes: string }[]>`
          SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), ${lsn?.lsn ?? "0/0"}::pg_lsn)::bigint::text AS bytes`;
        const statements = await sql<
          { query: string; calls: string; total: number; mean: number; rows: string }[]
        >`
          SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 120) AS query, calls::text,
                 total_exec_time AS total, mean_exec_time AS mean, rows::text
          FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 5`;
        const settings = await sql<{ name: string; setting: string; unit: string | null }[]>`
          SELECT name, setting, unit FROM pg_settings
          WHERE name IN ('shared_buffers', 'wal_buffers', 'max_wal_size', 'checkpoint_timeout',
                         'wal_compression', 'synchronous_commit', 'fsync', 'full_page_writes',
                         'max_connections', 'wal_level', 'default_toast_compression')
          ORDER BY name`;
        const round = (x: number) => Math.round(x * 100) / 100;
        return {
          cpuSeconds: {
            servers: round(cpuSeconds.servers),
            postgres: round(cpuSeconds.postgres),
            loadGenerator: cpuSeconds.loadGenerator,
          },
          walBytes: Number(wal?.bytes ?? 0),
          waitEvents: Object.fromEntries(
            [...waits.entries()]
              .sort((a, b) => b[1] - a[1])
              .map(([wait, n]) => [wait, Math.round((1000 * n) / Math.max(1, samples)) / 1000]),
          ),
          topStatements: statements.map((s) => ({
            query: s.query,
            calls: Number(s.calls),
            totalMs: Math.round(s.total),
            meanMs: round(s.mean),
            rows: Number(s.rows),
          })),
          settings: Object.fromEntries(
            settings.map((s) => [s.name, s.unit && s.unit !== "" ? `${s.setting} ${s.unit}` : s.setting]),
          ),
        };
      } finally {
        await db.close();
      }
    },
  };
}
