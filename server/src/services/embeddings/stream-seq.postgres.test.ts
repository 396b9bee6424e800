import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/database.ts";
import { queryRows } from "../../db/database.ts";
import { openPostgres } from "../../db/postgres.ts";
import { openPostgresTestDatabase, postgresAvailable } from "../../db/testing/postgres-database.ts";
import { ensureTenant } from "../tenants/default.ts";
import { ingestEmbeddings } from "./ingest.ts";

/**
 * Several servers ingesting into one stream at once, as two pools on one real PostgreSQL: the
 * per-stream seqs ingestion hands out under the stream's row lock must stay unique, gap-free and
 * in request order, with every id stored once, whoever creates the stream and whoever wins.
 */
describe.skipIf(!postgresAvailable)("per-stream seqs under concurrent ingestion (real PostgreSQL)", () => {
  let first: Database;
  let second: Database;
  let close: () => Promise<void>;
  let tenantId: number;

  beforeAll(async () => {
    const opened = await openPostgresTestDatabase("stream_seq_concurrent", { migrate: true });
    first = opened.database;
    second = openPostgres(opened.url, { max: 2 });
    close = async () => {
      await second.close();
      await opened.close();
    };
    tenantId = await ensureTenant(first.db, "t");
  }, 60_000);
  afterAll(() => close?.());

  it("two servers' requests tile 1 … N with their rows, each id once", async () => {
    const BATCHES = 25;
    // Writer w's batch k sends ids k-(2w) … k-(2w+4): half of them the other writer sends too.
    const batch = (w: number, k: number) =>
      Array.from({ length: 5 }, (_, i) => ({
        id: `${k}-${2 * w + i}`,
        ts: 1_790_000_000_000 + k,
        embedding: [1, k, i],
      }));
    const writer = async (database: Database, w: number) => {
      const answers: { accepted: number; lastSeq: number; ids: string[] }[] = [];
      for (let k = 0; k < BATCHES; k++) {
        const items = batch(w, k);
        const result = await ingestEmbeddings(database, {
          tenantId,
          stream: "door",
          model: { id: "m", version: "1" },
          items,
        });
        answers.push({ accepted: result.accepted, lastSeq: result.lastSeq, ids: items.map((i) => i.id) });
      }
      return answers;
    };
    const answers = (await Promise.all([writer(first, 0), writer(second, 1)])).flat();

    const stored = await queryRows<{ seq: number; id: string }>(
      first.db,
      sql`SELECT e.seq::int AS seq, e.client_id AS id FROM embeddings e JOIN streams s ON s.id = e.stream_id
          WHERE s.name = 'door' ORDER BY e.seq`,
    );
    const distinct = new Set(answers.flatMap((a) => a.ids));
    expect(stored.length).toBe(distinct.size);
    expect(new Set(stored.map((r) => r.id))).toEqual(distinct);
    expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));

    // Each request that stored rows holds the seqs (lastSeq − accepted, lastSeq], in its items' order.
    const bySeq = new Map(stored.map((r) => [r.seq, r.id]));
    const covered: number[] = [];
    for (const a of answers.filter((x) => x.accepted > 0)) {
      const mine = Array.from({ length: a.accepted }, (_, i) => a.lastSeq - a.accepted + 1 + i);
      const ids = mine.map((seq) => bySeq.get(seq) as string);
      expect(ids.every((id) => a.ids.includes(id))).toBe(true);
      expect(ids).toEqual([...ids].sort((x, y) => a.ids.indexOf(x) - a.ids.indexOf(y)));
      covered.push(...mine);
    }
    expect(covered.sort((x, y) => x - y)).toEqual(stored.map((r) => r.seq));
    // Both writers stored rows: the lock was contended, not one writer after the other by luck.
    expect(answers.slice(0, BATCHES).some((a) => a.accepted > 0)).toBe(true);
    expect(answers.slice(BATCHES).some((a) => a.accepted > 0)).toBe(true);

    const [counter] = await queryRows<{ last: number; count: number }>(
      first.db,
      sql`SELECT last_seq::int AS last, embedding_count::int AS count FROM streams WHERE name = 'door'`,
    );
    expect(counter).toEqual({ last: stored.length, count: stored.length });
  }, 60_000);
});
