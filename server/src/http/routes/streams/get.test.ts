import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp } from "../../test-app.ts";

const model = { id: "arcface", version: "1" };

describe("GET /v1/streams and /v1/streams/{stream}", () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let ingestA: string;
  let readA: string;
  let readB: string;

  beforeAll(async () => {
    t = await createTestApp();
    ingestA = await t.keyFor("tenant-a", ["ingest"]);
    readA = await t.keyFor("tenant-a", ["read"]);
    readB = await t.keyFor("tenant-b", ["admin"]);
    for (const [stream, n] of [
      ["door", 3],
      ["atrium", 1],
    ] as const) {
      const items = Array.from({ length: n }, (_, i) => ({
        id: `${stream}${i}`,
        ts: 1_790_000_000_001,
        embedding: [i + 1, 1, 0],
      }));
      const res = await t.call("POST", `/v1/streams/${stream}/embeddings`, {
        key: ingestA,
        json: { model, items },
      });
      expect(res.status).toBe(200);
    }
  }, 60_000);
  afterAll(() => t.close());

  it("lists the tenant's streams by name with counts", async () => {
    const res = await t.call("GET", "/v1/streams", { key: readA });
    expect(res.status).toBe(200);
    expect(
      res.body.streams.map((s: { name: string; embeddingCount: number }) => [s.name, s.embeddingCount]),
    ).toEqual([
      ["atrium", 1],
      ["door", 3],
    ]);
  });

  it("describes one stream", async () => {
    const res = await t.call("GET", "/v1/streams/door", { key: readA });
    expect(res.body).toMatchObject({ name: "door", model, dimension: 3, embeddingCount: 3 });
    expect(res.body).not.toHaveProperty("id");
  });

  it("hides one tenant's streams from another (404, not 403)", async () => {
    expect((await t.call("GET", "/v1/streams", { key: readB })).body).toEqual({ streams: [] });
    const one = await t.call("GET", "/v1/streams/door", { key: readB });
    expect(one).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
    const page = await t.call("GET", "/v1/streams/door/embeddings", { key: readB });
    expect(page.status).toBe(404);
  });

  it("keeps tenants' streams of the same name apart", async () => {
    const ingestB = await t.keyFor("tenant-b", ["ingest"]);
    const res = await t.call("POST", "/v1/streams/door/embeddings", {
      key: ingestB,
      json: {
        model: { id: "other", version: "9" },
        items: [{ id: "door0", ts: 1_790_000_000_001, embedding: [1, 2] }],
      },
    });
    expect(res.body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await t.call("GET", "/v1/streams/door", { key: readA })).body).toMatchObject({
      dimension: 3,
      embeddingCount: 3,
    });
  });

  it("requires the read scope: an ingest key cannot read", async () => {
    expect((await t.call("GET", "/v1/streams", { key: ingestA })).status).toBe(403);
    expect((await t.call("GET", "/v1/streams/door", { key: ingestA })).status).toBe(403);
  });
});
