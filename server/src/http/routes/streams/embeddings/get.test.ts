import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp } from "../../../test-app.ts";

describe("GET /v1/streams/{stream}/embeddings", () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let ingest: string;
  let read: string;

  beforeAll(async () => {
    t = await createTestApp();
    ingest = await t.keyFor("acme", ["ingest"]);
    read = await t.keyFor("acme", ["read"]);
    const items = Array.from({ length: 5 }, (_, i) => ({
      id: `e${i}`,
      ts: `2026-11-2${i}T00:00:00.250Z`,
      embedding: [i + 0.5, -1, 0.125],
    }));
    await t.call("POST", "/v1/streams/cam/embeddings", {
      key: ingest,
      json: { model: { id: "m", version: "1" }, items },
    });
  }, 60_000);
  afterAll(() => t.close());

  it("pages in seq order with a cursor", async () => {
    const first = await t.call("GET", "/v1/streams/cam/embeddings?limit=2", { key: read });
    expect(first.status).toBe(200);
    expect(first.body.items.map((e: { id: string }) => e.id)).toEqual(["e0", "e1"]);
    expect(first.body.items[0]).toMatchObject({
      ts: "2026-11-20T00:00:00.250Z",
      embedding: [0.5, -1, 0.125],
      source: "api",
    });
    expect(first.body.hasMore).toBe(true);
    const rest = await t.call(
      "GET",
      `/v1/streams/cam/embeddings?after_seq=${first.body.nextAfterSeq}&limit=10`,
      {
        key: read,
      },
    );
    expect(rest.body.items.map((e: { id: string }) => e.id)).toEqual(["e2", "e3", "e4"]);
    expect(rest.body.hasMore).toBe(false);
  });

  it("validates the query", async () => {
    const res = await t.call("GET", "/v1/streams/cam/embeddings?limit=0", { key: read });
    expect(res).toMatchObject({ status: 400, body: { error: { code: "invalid_request", field: "limit" } } });
  });

  it("refuses an ingest-only key", async () => {
    expect((await t.call("GET", "/v1/streams/cam/embeddings", { key: ingest })).status).toBe(403);
  });
});
