/**
 * The database contract: one suite, run against every driver (`pglite.test.ts`,
 * `postgres.test.ts`), the way drizzle runs `pg-common.ts` and Hono its router cases. Anything the
 * services rely on from the database belongs here, so a driver that passes it can back the server.
 */
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FacedriftError } from "../errors.ts";
import { authenticate } from "../services/api-keys/authenticate.ts";
import { bootstrapAdminKey } from "../services/api-keys/bootstrap.ts";
import { createApiKey } from "../services/api-keys/create.ts";
import { revokeApiKey } from "../services/api-keys/revoke.ts";
import type { IngestItem } from "../services/embeddings/decode.ts";
import { ingestEmbeddings } from "../services/embeddings/ingest.ts";
import { listEmbeddings } from "../services/embeddings/list.ts";
import { claimJob, enqueueJob, finishJob } from "../services/jobs/queue.ts";
import { createReferenceSet } from "../services/reference-sets/create.ts";
import { getActiveReferenceSet, loadReferenceVectors } from "../services/reference-sets/get-active.ts";
import {
  acquireStreamLease,
  releaseStreamLease,
  saveStreamCursor,
} from "../services/stream-cursors/lease.ts";
import { getStream } from "../services/streams/get.ts";
import { listAllStreams } from "../services/streams/list-all.ts";
import { ensureTenant } from "../services/tenants/default.ts";
import { type Database, queryRows } from "./database.ts";
import { migrateDatabase } from "./migrate.ts";
import { dropEmbeddingsBefore, partitionName, utcDay } from "./partitions.ts";
import { nearestReferenceSql, referenceIndexName } from "./reference-index.ts";
import { referenceSets } from "./schema/reference-set.ts";

const model = { id: "arcface", version: "1" };
const DAY_MS = 86_400_000;

/** Deterministic, non-zero float32-exact test vectors. */
function vector(seed: number, dim = 4): number[] {
  return Array.from({ length: dim }, (_, i) => Math.fround(((seed * 7 + i * 3) % 11) - 5 + 0.25));
}

function items(ids: string[], dim = 4, seed = 0): IngestItem[] {
  return ids.map((id, i) => ({ id, ts: 1_700_000_000_000 + i, embedding: vector(seed + i, dim) }));
}

async function countEmbeddings(database: Database, streamId: number): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    database.db,
    sql`SELECT count(*)::int AS n FROM embeddings WHERE stream_id = ${streamId}`,
  );
  return Number(row?.n);
}

export function runDatabaseContract(
  name: string,
  open: () => Promise<{ database: Database; close(): Promise<void> }>,
) {
  describe(`database contract: ${name}`, () => {
    let database: Database;
    let close: () => Promise<void>;
    let tenantId: number;

    beforeAll(async () => {
      ({ database, close } = await open());
      await migrateDatabase(database);
      tenantId = await ensureTenant(database.db, "contract");
    }, 60_000);
    afterAll(async () => close?.());

    it("generates the first admin key once, and seeds FACEDRIFT_ADMIN_KEY idempotently", async () => {
      const first = await bootstrapAdminKey(database.db, undefined);
      expect(first.generatedSecret).toMatch(/^fd_/);
      await expect(authenticate(database.db, first.generatedSecret ?? "")).resolves.toMatchObject({
        scopes: ["admin"],
      });
      expect(await bootstrapAdminKey(database.db, undefined)).toEqual({ seeded: false });
      const chosen = "fd_chosen-by-the-operator-0123456789abcdef";
      expect(await bootstrapAdminKey(database.db, chosen)).toEqual({ seeded: true });
      expect(await bootstrapAdminKey(database.db, chosen)).toEqual({ seeded: false });
      const principal = await authenticate(database.db, chosen);
      expect(principal.tenantId).toBe(await ensureTenant(database.db));
    });

    it("migrates idempotently and keeps a week of daily partitions ahead", async () => {
      await migrateDatabase(database);
      const rows = await queryRows<{ name: string }>(
        database.db,
        sql`SELECT c.relname::text AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'embeddings'`,
      );
      const names = rows.map((r) => r.name);
      expect(names).toContain("embeddings_default");
      expect(names).toContain(partitionName(utcDay(new Date())));
      expect(names).toContain(partitionName(utcDay(new Date(Date.now() + 7 * DAY_MS))));
    });

    it("stores a batch in request order, counts duplicates within and across requests", async () => {
      const first = await ingestEmbeddings(database, {
        tenantId,
        stream: "order",
        model,
        items: [...items(["a", "b", "c"]), ...items(["b"], 4, 9)],
      });
      expect(first).toMatchObject({ accepted: 3, duplicates: 1 });
      const second = await ingestEmbeddings(database, {
        tenantId,
        stream: "order",
        model,
        items: items(["c", "d"]),
      });
      expect(second).toMatchObject({ accepted: 1, duplicates: 1 });
      const page = await listEmbeddings(database.db, first.streamId, 0, 10);
      expect(page.items.map((e) => e.id)).toEqual(["a", "b", "c", "d"]);
      const seqs = page.items.map((e) => e.seq);
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
      expect(second.lastSeq).toBe(seqs.at(-1));
      // The first "b" won; the repeat in the same request was dropped.
      expect(Array.from(page.items[1]?.embedding ?? [])).toEqual(vector(1));
      const stream = await getStream(database.db, tenantId, "order");
      expect(stream).toMatchObject({ dimension: 4, embeddingCount: 4, lastSeq: second.lastSeq });
    });

    it("round-trips vectors exactly as float32, with time, source, device and metadata", async () => {
      const v = [0.1, -2.5, 3e-7, 1234.5678];
      const result = await ingestEmbeddings(database, {
        tenantId,
        stream: "roundtrip",
        model,
        items: [
          {
            id: "ünï-😀",
            ts: "2026-01-02T03:04:05.678+01:00",
            embedding: v,
            source: "browser",
            device: "cam-1",
            metadata: { quality: 0.9, tags: ["a"] },
          },
        ],
      });
      const [stored] = (await listEmbeddings(database.db, result.streamId, 0, 10)).items;
      expect(stored).toMatchObject({
        id: "ünï-😀",
        eventTime: "2026-01-02T02:04:05.678Z",
        source: "browser",
        device: "cam-1",
        metadata: { quality: 0.9, tags: ["a"] },
        model,
      });
      expect(Array.from(stored?.embedding ?? [])).toEqual(Array.from(Float32Array.from(v)));
    });

    it("stores an id once when two requests race", async () => {
      const ids = Array.from({ length: 50 }, (_, i) => `r${i}`);
      const results = await Promise.all([
        ingestEmbeddings(database, { tenantId, stream: "race", model, items: items(ids.slice(0, 30)) }),
        ingestEmbeddings(database, { tenantId, stream: "race", model, items: items(ids.slice(10)) }),
      ]);
      expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(50);
      expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(20);
      expect(await countEmbeddings(database, results[0]?.streamId ?? 0)).toBe(50);
    });

    it("refuses another model (conflict) or dimension and writes nothing", async () => {
      const { streamId } = await ingestEmbeddings(database, {
        tenantId,
        stream: "fixed",
        model,
        items: items(["x"]),
      });
      await expect(
        ingestEmbeddings(database, {
          tenantId,
          stream: "fixed",
          model: { id: "arcface", version: "2" },
          items: items(["y"]),
        }),
      ).rejects.toMatchObject({ code: "conflict", field: "model" });
      await expect(
        ingestEmbeddings(database, { tenantId, stream: "fixed", model, items: items(["y"], 8) }),
      ).rejects.toMatchObject({ code: "invalid_request", item: 0, field: "items[0].embedding" });
      expect(await countEmbeddings(database, streamId)).toBe(1);
      await expect(
        ingestEmbeddings(database, {
          tenantId,
          stream: "fresh",
          model,
          items: [...items(["p"]), ...items(["q"], 3)],
        }),
      ).rejects.toBeInstanceOf(FacedriftError);
      await expect(getStream(database.db, tenantId, "fresh")).rejects.toMatchObject({ code: "not_found" });
    });

    it("pages by seq", async () => {
      const ids = Array.from({ length: 7 }, (_, i) => `p${i}`);
      const { streamId } = await ingestEmbeddings(database, {
        tenantId,
        stream: "pages",
        model,
        items: items(ids),
      });
      const seen: string[] = [];
      let after = 0;
      for (;;) {
        const page = await listEmbeddings(database.db, streamId, after, 3);
        seen.push(...page.items.map((e) => e.id));
        after = page.nextAfterSeq;
        if (!page.hasMore) break;
      }
      expect(seen).toEqual(ids);
      expect((await listEmbeddings(database.db, streamId, after, 3)).items).toEqual([]);
    });

    it("drops whole days for retention and forgets their ids", async () => {
      const old = new Date(Date.now() - 3 * DAY_MS);
      const { streamId } = await ingestEmbeddings(
        database,
        {
          tenantId,
          stream: "retention",
          model,
          items: items(["old1", "old2"]),
          extraction: { id: "old-report", attempted: 3, no_face: 1 },
        },
        old,
      );
      await ingestEmbeddings(database, {
        tenantId,
        stream: "retention",
        model,
        items: items(["new1"]),
        extraction: { id: "new-report", attempted: 2, no_face: 1 },
      });
      // The streaming worker's cached scores are derived from the vectors: the old days' go too.
      const reference = await createReferenceSet(database.db, { streamId, vectors: [[1, 0, 0, 0]] });
      await database.db.execute(
        sql`INSERT INTO embedding_scores (reference_set_id, seq, stream_id, scores)
            SELECT ${reference.id}, seq, stream_id, ARRAY[seq::float8] FROM embeddings WHERE stream_id = ${streamId}`,
      );
      const result = await dropEmbeddingsBefore(database.db, new Date(Date.now() - DAY_MS));
      expect(result.droppedPartitions).toContain(partitionName(utcDay(old)));
      expect((await listEmbeddings(database.db, streamId, 0, 10)).items.map((e) => e.id)).toEqual(["new1"]);
      const scored = await queryRows<{ seq: number }>(
        database.db,
        sql`SELECT seq::int AS seq FROM embedding_scores WHERE stream_id = ${streamId}`,
      );
      expect(scored).toEqual([{ seq: 3 }]);
      expect((await getStream(database.db, tenantId, "retention")).embeddingCount).toBe(1);
      const reports = await queryRows<{ id: string; seq: string }>(
        database.db,
        sql`SELECT client_id AS id, seq::text AS seq FROM extraction_reports WHERE stream_id = ${streamId}`,
      );
      expect(reports).toEqual([{ id: "new-report", seq: "2" }]);
      const again = await ingestEmbeddings(database, {
        tenantId,
        stream: "retention",
        model,
        items: items(["old1"]),
        extraction: { id: "old-report", attempted: 3, no_face: 1 },
      });
      expect(again.accepted).toBe(1);
      expect(again.extraction).toEqual({ accepted: true, seq: 3 });
    });

    it("versions reference sets, keeps one active, and searches them through a per-dimension HNSW index", async () => {
      const { streamId } = await ingestEmbeddings(database, {
        tenantId,
        stream: "ref",
        model,
        items: items(["r"]),
      });
      const first = await createReferenceSet(database.db, {
        streamId,
        vectors: [
          [1, 0, 0, 0],
          [0, 1, 0, 0],
          [0, 0, 1, 0],
        ],
        profile: { format: "test-profile/1", mean: [0, 0, 0, 0] },
        knnThreshold: 0.25,
      });
      const second = await createReferenceSet(database.db, { streamId, vectors: [[0, 0, 0, 1]] });
      expect([first.version, second.version]).toEqual([1, 2]);
      const active = await getActiveReferenceSet(database.db, streamId);
      expect(active).toMatchObject({ id: second.id, version: 2, dimension: 4, modelId: model.id });
      const [firstRow] = await database.db.select().from(referenceSets).where(eq(referenceSets.id, first.id));
      expect(firstRow).toMatchObject({
        profile: { format: "test-profile/1", mean: [0, 0, 0, 0] },
        knnThreshold: 0.25,
      });
      expect((await loadReferenceVectors(database.db, first.id)).map((v) => Array.from(v))).toEqual([
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
      ]);
      const query = nearestReferenceSql(first.id, 4, "[0.1,0.9,0,0]", 2);
      const rows = await queryRows<{ id: number; distance: number }>(database.db, query);
      expect(rows).toHaveLength(2);
      expect(rows[0]?.distance).toBeLessThan(rows[1]?.distance ?? 0);
      // With sequential scans priced out, the plan must use the partial HNSW index: proof that the
      // query's cast and predicate match the index's.
      const plan = await database.db.transaction(async (tx) => {
        await tx.execute(sql`SET LOCAL enable_seqscan = off`);
        await tx.execute(sql`SET LOCAL enable_bitmapscan = off`);
        return queryRows<Record<string, string>>(tx, sql`EXPLAIN ${query}`);
      });
      expect(plan.map((r) => Object.values(r).join(" ")).join("\n")).toContain(referenceIndexName(first.id));
      // A second active set for the stream violates the one-active index.
      await expect(
        database.db.insert(referenceSets).values({
          streamId,
          version: 9,
          modelId: model.id,
          modelVersion: model.version,
          dimension: 4,
          active: true,
        }),
      ).rejects.toThrow();
    });

    it("leases stream cursors to one worker at a time and resumes from the checkpoint", async () => {
      const { streamId } = await ingestEmbeddings(database, {
        tenantId,
        stream: "lease",
        model,
        items: items(["l"]),
      });
      const mine = await acquireStreamLease(database.db, streamId, "w1", 60_000);
      expect(mine).toMatchObject({ streamId, lastSeq: 0, adwinState: null, owner: "w1" });
      expect(await acquireStreamLease(database.db, streamId, "w2", 60_000)).toBeNull();
      const saved = await saveStreamCursor(database.db, streamId, "w1", {
        lastSeq: 41,
        adwinState: { format: 1, buckets: [] },
        referenceSetId: null,
        leaseMs: 60_000,
      });
      expect(saved).toBe(true);
      await database.db.execute(
        sql`UPDATE stream_cursors SET lease_until = now() - interval '1 second' WHERE stream_id = ${streamId}`,
      );
      const takeover = await acquireStreamLease(database.db, streamId, "w2", 60_000);
      expect(takeover).toMatchObject({ owner: "w2", lastSeq: 41, adwinState: { format: 1, buckets: [] } });
      expect(
        await saveStreamCursor(database.db, streamId, "w1", {
          lastSeq: 50,
          adwinState: null,
          referenceSetId: null,
          leaseMs: 1,
        }),
      ).toBe(false);
      await releaseStreamLease(database.db, streamId, "w2");
      expect(await acquireStreamLease(database.db, streamId, "w3", 60_000)).toMatchObject({
        owner: "w3",
        lastSeq: 41,
      });
      expect((await listAllStreams(database.db)).map((s) => s.name)).toContain("lease");
    });

    it("hands each job to one worker and lets an expired lease be taken over", async () => {
      const id = await enqueueJob(database.db, "contract-test", { n: 1 });
      const claimed = await claimJob(database.db, ["contract-test"], "w1", 60_000);
      expect(claimed).toMatchObject({ id, kind: "contract-test", payload: { n: 1 }, attempts: 1 });
      expect(await claimJob(database.db, ["contract-test"], "w2", 60_000)).toBeNull();
      await database.db.execute(
        sql`UPDATE jobs SET lease_until = now() - interval '1 second' WHERE id = ${id}`,
      );
      const takeover = await claimJob(database.db, ["contract-test"], "w2", 60_000);
      expect(takeover).toMatchObject({ id, attempts: 2 });
      expect(await finishJob(database.db, id, "w1", { ok: true })).toBe(false);
      expect(await finishJob(database.db, id, "w2", { ok: true })).toBe(true);
    });

    it("authenticates API keys by hash and stops accepting revoked ones", async () => {
      const { key, secret } = await createApiKey(database.db, { tenantId, name: "t", scopes: ["read"] });
      await expect(authenticate(database.db, secret)).resolves.toMatchObject({ tenantId, scopes: ["read"] });
      await revokeApiKey(database.db, tenantId, key.id);
      await expect(authenticate(database.db, secret)).rejects.toMatchObject({ code: "unauthorized" });
      await expect(revokeApiKey(database.db, tenantId + 1000, key.id)).rejects.toMatchObject({
        code: "not_found",
      });
    });
  });
}
