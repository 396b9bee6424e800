/**
 * The streaming worker's page query on a day partition without statistics (freshly loaded,
 * before autovacuum's ANALYZE) and after ANALYZE: EXPLAIN (ANALYZE, BUFFERS) of the page, as it
 * was planned before and under the read's planner settings (`PAGE_READ_SETTINGS`).
 *
 * Usage: npx tsx server/scripts/read-plan-pg.ts [rows=100000]
 */
import { sql } from "drizzle-orm";
import { queryRows } from "../src/db/database.ts";
import { openPostgresTestDatabase } from "../src/db/testing/postgres-database.ts";
import { ingestEmbeddings } from "../src/services/embeddings/ingest.ts";
import { ensureTenant } from "../src/services/tenants/default.ts";
import { PAGE_READ_SETTINGS } from "../src/streaming/read.ts";

const TOTAL = Number(process.argv[2] ?? 100_000);
const DIM = 512;
const pg = await openPostgresTestDatabase("read_plan", { migrate: true });
try {
  const tenantId = await ensureTenant(pg.database.db, "bench");
  const v = new Float32Array(DIM);
  for (let start = 0; start < TOTAL; start += 1000) {
    const items = Array.from({ length: 1000 }, (_, k) => {
      for (let j = 0; j < DIM; j++) v[j] = Math.sin(start + k + j);
      return {
        id: `e${start + k}`,
        ts: 1_790_000_000_000 + start + k,
        embedding_b64: Buffer.from(v.buffer).toString("base64"),
      };
    });
    await ingestEmbeddings(pg.database, { tenantId, stream: "s", model: { id: "m", version: "1" }, items });
  }
  const [s] = await queryRows<{ id: string }>(pg.database.db, sql`SELECT id::text AS id FROM streams`);
  const explain = async (label: string, after: number) => {
    for (const settings of [false, true])
      await explainOne(`${label}${settings ? ", PAGE_READ_SETTINGS" : ""}`, after, settings);
  };
  const explainOne = async (label: string, after: number, settings: boolean) => {
    const rows = await pg.database.db.transaction(async (tx) => {
      if (settings)
        for (const [name, value] of Object.entries(PAGE_READ_SETTINGS))
          await tx.execute(sql`SELECT set_config(${name}, ${value}, true)`);
      return queryRows<{ "QUERY PLAN": string }>(
        tx,
        sql.raw(
          `EXPLAIN (ANALYZE, BUFFERS) SELECT seq, embedding FROM embeddings WHERE stream_id = ${s?.id} AND seq > ${after} ORDER BY seq LIMIT 5000`,
        ),
      );
    });
    console.log(`--- ${label}, after ${after}\n${rows.map((r) => r["QUERY PLAN"]).join("\n")}`);
  };
  const stats = await queryRows<{
    relname: string;
    reltuples: number;
    last_analyze: string | null;
    last_autoanalyze: string | null;
  }>(
    pg.database.db,
    sql`SELECT c.relname::text AS relname, c.reltuples::float8 AS reltuples, s.last_analyze::text AS last_analyze, s.last_autoanalyze::text AS last_autoanalyze
        FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname LIKE 'embeddings_p%' AND s.n_live_tup > 0`,
  );
  console.log(JSON.stringify(stats));
  await explain("no statistics", 0);
  await explain("no statistics", TOTAL / 2);
  await pg.database.db.execute(sql`ANALYZE embeddings`);
  await explain("analyzed", 0);
  await explain("analyzed", TOTAL / 2);
} finally {
  await pg.close();
}
