import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DRIVERS } from "../db/testing/postgres-database.ts";
import { createTestApp } from "./test-app.ts";

/**
 * The other half of issue 14's volume leak: embedding `seq` was one sequence for the whole
 * server, so the `lastSeq` and cursors tenant B saw moved by whatever every other tenant stored.
 * Seqs count per stream now: B's numbers move by B's own rows only.
 */
describe.each(TEST_DRIVERS)("embedding seqs count per stream on %s", (driver) => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let keyA: string;
  let keyB: string;
  const model = { id: "m", version: "1" };
  const items = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      id: `${prefix}${i}`,
      ts: 1_790_000_000_000 + i,
      embedding: [1, i],
    }));
  const ingest = (key: string, stream: string, json: unknown) =>
    t.call("POST", `/v1/streams/${stream}/embeddings`, { key, json });

  beforeAll(async () => {
    t = await createTestApp({}, { over: driver === "postgres" ? "postgres" : "in-process" });
    keyA = await t.keyFor("tenant-a", ["admin"]);
    keyB = await t.keyFor("tenant-b", ["admin"]);
  }, 120_000);
  afterAll(() => t?.close());

  it("B's lastSeq, seqs and cursor do not move when A ingests", async () => {
    const first = await ingest(keyB, "lobby", { model, items: items("b", 2) });
    expect(first.body).toMatchObject({ accepted: 2, lastSeq: 2 });

    // A stores 7 rows in two streams (one of them named like B's) between B's requests.
    expect((await ingest(keyA, "lobby", { model, items: items("a", 5) })).body.lastSeq).toBe(5);
    expect((await ingest(keyA, "gate", { model, items: items("g", 2) })).body.lastSeq).toBe(2);

    const second = await ingest(keyB, "lobby", { model, items: [...items("b", 3), ...items("c", 1)] });
    expect(second.body).toMatchObject({ accepted: 2, duplicates: 2, lastSeq: 4 });
    // A request that stores nothing answers the same lastSeq.
    expect((await ingest(keyB, "lobby", { model, items: items("b", 1) })).body.lastSeq).toBe(4);

    const all = await t.call("GET", "/v1/streams/lobby/embeddings?limit=10", { key: keyB });
    expect(all.body.items.map((e: { seq: number; id: string }) => [e.seq, e.id])).toEqual([
      [1, "b0"],
      [2, "b1"],
      [3, "b2"],
      [4, "c0"],
    ]);
    expect(all.body).toMatchObject({ nextAfterSeq: 4, hasMore: false });
    const page = await t.call("GET", "/v1/streams/lobby/embeddings?after_seq=2&limit=1", { key: keyB });
    expect(page.body.items.map((e: { seq: number }) => e.seq)).toEqual([3]);
    expect(page.body).toMatchObject({ nextAfterSeq: 3, hasMore: true });

    // The stream listing and B's other streams start from their own count too.
    const listed = await t.call("GET", "/v1/streams", { key: keyB });
    const lobby = listed.body.streams.find((s: { name: string }) => s.name === "lobby");
    expect(lobby).toMatchObject({ embeddingCount: 4, lastSeq: 4 });
    expect((await ingest(keyB, "gate", { model, items: items("x", 3) })).body.lastSeq).toBe(3);
  }, 120_000);
});
