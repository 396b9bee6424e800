import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../../../db/database.ts";
import { createTestApp } from "../../../test-app.ts";

const model = { id: "arcface", version: "1" };
const url = (stream: string) => `/v1/streams/${stream}/embeddings`;
const vec = (seed: number) => [seed + 1, 0.5, -0.25, 2];
const b64 = (values: number[]) => Buffer.from(Float32Array.from(values).buffer).toString("base64");

describe("POST /v1/streams/{stream}/embeddings", () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let key: string;

  beforeAll(async () => {
    t = await createTestApp({ maxBatchItems: 5, maxBodyBytes: 4096 });
    key = await t.keyFor("acme", ["ingest"]);
  }, 60_000);
  afterAll(() => t.close());

  const post = (stream: string, json: unknown) => t.call("POST", url(stream), { key, json });
  const rowCount = async () =>
    Number((await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM embeddings`))[0]?.n);

  it("accepts JSON and base64 vectors, RFC 3339 and epoch-ms times, and creates the stream", async () => {
    const res = await post("lobby", {
      model,
      items: [
        { id: "a", ts: "2026-11-26T10:00:00Z", embedding: vec(0) },
        { id: "b", ts: 1_790_000_000_000, embedding_b64: b64(vec(1)), device: "cam", metadata: { q: 1 } },
      ],
    });
    expect(res).toEqual({ status: 200, body: { accepted: 2, duplicates: 0, lastSeq: expect.any(Number) } });
  });

  it("counts repeated ids, within the request and across requests, as duplicates", async () => {
    const res = await post("lobby", {
      model,
      items: [
        { id: "a", ts: 1_790_000_000_001, embedding: vec(0) },
        { id: "c", ts: 1_790_000_000_001, embedding: vec(2) },
        { id: "c", ts: 1_790_000_000_001, embedding: vec(3) },
      ],
    });
    expect(res.body).toMatchObject({ accepted: 1, duplicates: 2 });
    expect(await rowCount()).toBe(3);
  });

  const bad: [string, unknown, number, Record<string, unknown>][] = [
    [
      "wrong dimension",
      { model, items: [{ id: "x", ts: 1_790_000_000_001, embedding: [1, 2] }] },
      400,
      { item: 0, field: "items[0].embedding" },
    ],
    [
      "dimension differing within a new stream's first request",
      {
        model,
        items: [
          { id: "x", ts: 1_790_000_000_001, embedding: [1, 2] },
          { id: "y", ts: 1_790_000_000_001, embedding: [1, 2, 3] },
        ],
      },
      400,
      { item: 1, field: "items[1].embedding" },
    ],
    [
      "beyond float32 (becomes Inf)",
      { model, items: [{ id: "x", ts: 1_790_000_000_001, embedding: [1, 1e39, 0, 0] }] },
      400,
      { item: 0, field: "items[0].embedding[1]" },
    ],
    [
      "a non-number element",
      { model, items: [{ id: "x", ts: 1_790_000_000_001, embedding: [1, null, 0, 0] }] },
      400,
      { item: 0, field: "items[0].embedding[1]" },
    ],
    [
      "an embedding that is not an array",
      { model, items: [{ id: "x", ts: 1_790_000_000_001, embedding: "1,2,3,4" }] },
      400,
      { item: 0, field: "items[0].embedding" },
    ],
    [
      "NaN in base64",
      { model, items: [{ id: "x", ts: 1_790_000_000_001, embedding_b64: b64([1, Number.NaN, 0, 0]) }] },
      400,
      { item: 0, field: "items[0].embedding_b64[1]" },
    ],
    [
      "zero vector",
      {
        model,
        items: [
          { id: "ok", ts: 1_790_000_000_001, embedding: vec(0) },
          { id: "x", ts: 1_790_000_000_001, embedding: [0, 0, 0, 0] },
        ],
      },
      400,
      { item: 1, field: "items[1].embedding" },
    ],
    [
      "both embedding and embedding_b64",
      { model, items: [{ id: "x", ts: 1_790_000_000_001, embedding: vec(0), embedding_b64: b64(vec(0)) }] },
      400,
      { item: 0 },
    ],
    [
      "neither embedding nor embedding_b64",
      { model, items: [{ id: "x", ts: 1_790_000_000_001 }] },
      400,
      { item: 0 },
    ],
    [
      "truncated base64 (6 bytes)",
      { model, items: [{ id: "x", ts: 1_790_000_000_001, embedding_b64: "AAAAAAAA" }] },
      400,
      { item: 0, field: "items[0].embedding_b64" },
    ],
    [
      "invalid base64 characters",
      { model, items: [{ id: "x", ts: 1_790_000_000_001, embedding_b64: "AAAA!AAAAAAAAAAAAAAAAAAA" }] },
      400,
      { item: 0, field: "items[0].embedding_b64" },
    ],
    [
      "empty id",
      { model, items: [{ id: "", ts: 1_790_000_000_001, embedding: vec(0) }] },
      400,
      { item: 0, field: "items[0].id" },
    ],
    [
      "id over 128 characters",
      { model, items: [{ id: "é".repeat(129), ts: 1_790_000_000_001, embedding: vec(0) }] },
      400,
      { item: 0, field: "items[0].id" },
    ],
    [
      "time without offset",
      { model, items: [{ id: "x", ts: "2026-11-26T10:00:00", embedding: vec(0) }] },
      400,
      { item: 0, field: "items[0].ts" },
    ],
    [
      "a fractional epoch time",
      { model, items: [{ id: "x", ts: 1_790_000_000_001.5, embedding: vec(0) }] },
      400,
      { item: 0, field: "items[0].ts", message: expect.stringMatching(/RFC 3339 .*epoch milliseconds/) },
    ],
    [
      "a null time",
      { model, items: [{ id: "x", ts: null, embedding: vec(0) }] },
      400,
      { item: 0, field: "items[0].ts", message: expect.stringMatching(/RFC 3339 .*epoch milliseconds/) },
    ],
    [
      "missing model",
      { items: [{ id: "x", ts: 1_790_000_000_001, embedding: vec(0) }] },
      400,
      { field: "model" },
    ],
    ["empty items", { model, items: [] }, 400, { field: "items" }],
    [
      "too many items",
      {
        model,
        items: Array.from({ length: 6 }, (_, i) => ({
          id: `m${i}`,
          ts: 1_790_000_000_001,
          embedding: vec(i),
        })),
      },
      413,
      { field: "items" },
    ],
    [
      "another model for the stream",
      {
        model: { id: "arcface", version: "2" },
        items: [{ id: "x", ts: 1_790_000_000_001, embedding: vec(0) }],
      },
      409,
      { field: "model" },
    ],
  ];

  const one = [{ id: "x", ts: 1_790_000_000_001, embedding: vec(0) }];
  bad.push(
    [
      "an extraction report with more no_face than attempted",
      { model, items: one, extraction: { id: "r-bad", attempted: 3, no_face: 4 } },
      400,
      { field: "extraction.no_face" },
    ],
    [
      "an extraction report of no attempts",
      { model, items: one, extraction: { id: "r-bad", attempted: 0, no_face: 0 } },
      400,
      { field: "extraction.attempted" },
    ],
    [
      "an extraction report with a fractional count",
      { model, items: [], extraction: { id: "r-bad", attempted: 10, no_face: 2.5 } },
      400,
      { field: "extraction.no_face" },
    ],
    [
      "an extraction report without an id",
      { model, items: one, extraction: { attempted: 10, no_face: 2 } },
      400,
      { field: "extraction.id" },
    ],
    [
      "an extraction report without items for a new stream",
      { model, items: [], extraction: { id: "r-1", attempted: 10, no_face: 10 } },
      404,
      { field: "stream" },
    ],
  );

  for (const [name, body, status, error] of bad) {
    it(`rejects ${name} with ${status} and stores nothing`, async () => {
      const stream = name.includes("new stream") ? "brand-new" : "lobby";
      const before = await rowCount();
      const res = await post(stream, body);
      expect(res.status).toBe(status);
      expect(res.body.error).toMatchObject(error);
      expect(typeof res.body.error.message).toBe("string");
      expect(await rowCount()).toBe(before);
    });
  }

  it("takes an extraction report with or without items, once per id, and refuses a resend with other counts", async () => {
    const reports = async () =>
      await queryRows<{ seq: string; attempted: number; no_face: number; items: number }>(
        t.db,
        sql`SELECT r.seq::text AS seq, r.attempted, r.no_face, r.items FROM extraction_reports r
            JOIN streams s ON s.id = r.stream_id WHERE s.name = 'lobby' ORDER BY r.seq`,
      );
    const first = await post("lobby", {
      model,
      items: [{ id: "x1", ts: 1_790_000_000_001, embedding: vec(7) }],
      extraction: { id: "r-1", attempted: 3, no_face: 1 },
    });
    expect(first).toEqual({
      status: 200,
      body: {
        accepted: 1,
        duplicates: 0,
        lastSeq: expect.any(Number),
        extraction: { accepted: true, seq: 1 },
      },
    });
    // No face in the whole batch: a report and no items.
    const silent = await post("lobby", {
      model,
      items: [],
      extraction: { id: "r-2", attempted: 40, no_face: 40 },
    });
    expect(silent.body).toMatchObject({ accepted: 0, duplicates: 0, extraction: { accepted: true, seq: 2 } });
    expect(silent.body.lastSeq).toBe(first.body.lastSeq);
    const resent = await post("lobby", {
      model,
      items: [],
      extraction: { id: "r-2", attempted: 40, no_face: 40 },
    });
    expect(resent.body).toMatchObject({ extraction: { accepted: false, seq: 2 } });
    const before = await rowCount();
    const changed = await post("lobby", {
      model,
      items: [{ id: "x2", ts: 1_790_000_000_001, embedding: vec(8) }],
      extraction: { id: "r-2", attempted: 40, no_face: 39 },
    });
    expect(changed).toMatchObject({ status: 409, body: { error: { field: "extraction.id" } } });
    expect(await rowCount()).toBe(before);
    expect(await reports()).toEqual([
      { seq: "1", attempted: 3, no_face: 1, items: 1 },
      { seq: "2", attempted: 40, no_face: 40, items: 0 },
    ]);
  });

  it("keeps another tenant's stream of the same name apart: its reports, their ids and seqs", async () => {
    const other = await t.keyFor("globex", ["ingest"]);
    const postOther = (json: unknown) => t.call("POST", url("lobby"), { key: other, json });
    // Globex has no "lobby" yet: a report alone cannot reach acme's stream of that name.
    expect(
      await postOther({ model, items: [], extraction: { id: "r-2", attempted: 9, no_face: 9 } }),
    ).toMatchObject({
      status: 404,
      body: { error: { field: "stream" } },
    });
    // Acme's report id "r-2" (40 of 40) is no conflict for globex, and its seqs start at 1.
    const first = await postOther({
      model,
      items: [{ id: "x1", ts: 1_790_000_000_001, embedding: vec(3) }],
      extraction: { id: "r-2", attempted: 9, no_face: 1 },
    });
    expect(first).toMatchObject({
      status: 200,
      body: { accepted: 1, lastSeq: 1, extraction: { accepted: true, seq: 1 } },
    });
    const acme = await post("lobby", {
      model,
      items: [],
      extraction: { id: "r-2", attempted: 40, no_face: 40 },
    });
    expect(acme.body.extraction).toEqual({ accepted: false, seq: 2 });
  });

  it("fails the whole request when a later item is bad", async () => {
    const res = await post("lobby", {
      model,
      items: [
        { id: "v1", ts: 1_790_000_000_001, embedding: vec(5) },
        { id: "v2", ts: 1_790_000_000_001, embedding: [1, 2, 3] },
      ],
    });
    expect(res.body.error).toMatchObject({ code: "invalid_request", item: 1 });
    const ids = await queryRows<{ id: string }>(
      t.db,
      sql`SELECT client_id AS id FROM embeddings WHERE client_id = 'v1'`,
    );
    expect(ids).toEqual([]);
  });

  it("rejects malformed JSON, a wrong content type and an oversized body", async () => {
    const before = await rowCount();
    const malformed = await t.call("POST", url("lobby"), { key, body: '{"model":' });
    expect(malformed).toMatchObject({ status: 400, body: { error: { code: "invalid_json" } } });
    const text = await t.call("POST", url("lobby"), { key, body: "{}", contentType: "text/plain" });
    expect(text).toMatchObject({ status: 415, body: { error: { code: "unsupported_media_type" } } });
    const huge = await t.call("POST", url("lobby"), {
      key,
      json: { model, items: [], pad: "x".repeat(5000) },
    });
    expect(huge).toMatchObject({ status: 413, body: { error: { code: "payload_too_large" } } });
    expect(await rowCount()).toBe(before);
  });

  it("rejects a bad stream name in the path", async () => {
    const res = await post("bad%20name", {
      model,
      items: [{ id: "x", ts: 1_790_000_000_001, embedding: vec(0) }],
    });
    expect(res).toMatchObject({ status: 400, body: { error: { field: "stream" } } });
  });

  it("requires an ingest-scoped key", async () => {
    const reader = await t.keyFor("acme", ["read"]);
    const body = { model, items: [{ id: "x", ts: 1_790_000_000_001, embedding: vec(0) }] };
    expect((await t.call("POST", url("lobby"), { json: body })).status).toBe(401);
    expect((await t.call("POST", url("lobby"), { key: "fd_nope", json: body })).status).toBe(401);
    expect((await t.call("POST", url("lobby"), { key: reader, json: body })).status).toBe(403);
  });
});
