import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIM, MODEL, synthetic } from "../../../../batch/testing/fixture.ts";
import { embeddingScores } from "../../../../db/schema/embedding-score.ts";
import { ingestEmbeddings } from "../../../../services/embeddings/ingest.ts";
import { getActiveReferenceSet } from "../../../../services/reference-sets/get-active.ts";
import { getStream } from "../../../../services/streams/get.ts";
import { ensureTenant } from "../../../../services/tenants/default.ts";
import { createTestApp } from "../../../test-app.ts";

const T0 = Date.parse("2026-11-20T10:00:00Z");
const N = 300;

describe("GET /v1/streams/{stream}/series", { timeout: 60_000 }, () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let reader: string;
  let ingestOnly: string;
  let other: string;
  const x = synthetic.sample(N, 11);

  beforeAll(async () => {
    t = await createTestApp();
    reader = await t.keyFor("acme", ["read"]);
    ingestOnly = await t.keyFor("acme", ["ingest"]);
    other = await t.keyFor("globex", ["read"]);
    const tenantId = await ensureTenant(t.db, "acme");
    // One embedding per second from T0; every tenth has no quality, one a non-numeric face size.
    const items = Array.from({ length: N }, (_, i) => ({
      id: `e${i}`,
      ts: T0 + i * 1000,
      embedding_b64: Buffer.from(x.buffer, i * DIM * 4, DIM * 4).toString("base64"),
      ...(i % 10 === 9
        ? {}
        : { metadata: { quality: { faceSize: i === 3 ? "big" : 100 + i, brightness: i / 2, blur: 50 } } }),
    }));
    for (let i = 0; i < N; i++) {
      await ingestEmbeddings(
        t.database,
        { tenantId, stream: "lobby", model: MODEL, items: [items[i] as (typeof items)[number]] },
        new Date(T0 + i * 1000),
      );
    }
    await ingestEmbeddings(t.database, { tenantId, stream: "bare", model: MODEL, items: items.slice(0, 5) });
    // An outbox that held six hours of faces (one every 6 minutes, newest first) and posted them at once.
    const outbox = Array.from({ length: 60 }, (_, i) => ({
      ...items[i]!,
      id: `o${i}`,
      ts: T0 + (59 - i) * 360_000,
    }));
    await ingestEmbeddings(
      t.database,
      { tenantId, stream: "outbox", model: MODEL, items: outbox },
      new Date(T0 + 7 * 3_600_000),
    );
    const fitted = await t.call("POST", "/v1/streams/lobby/reference", {
      key: await t.keyFor("acme", ["admin"]),
      json: { last: N, options: { seed: 1 } },
    });
    expect(fitted.status).toBe(201);
  }, 120_000);
  afterAll(() => t?.close());

  const get = (query: string, key = reader, stream = "lobby") =>
    t.call("GET", `/v1/streams/${stream}/series${query}`, { key });
  const range = (fromS: number, toS: number) =>
    `from=${new Date(T0 + fromS * 1000).toISOString()}&to=${new Date(T0 + toS * 1000).toISOString()}`;

  /** PC1 scores as the streaming detector defines them, from the stored reference profile. */
  async function expectedScores(): Promise<number[]> {
    const stream = await getStream(t.db, await ensureTenant(t.db, "acme"), "lobby");
    const reference = await getActiveReferenceSet(t.db, stream.id);
    if (!reference) throw new Error("no active reference");
    const pca = (reference.profile as unknown as { pca: { mean: number[]; components: number[] } }).pca;
    return Array.from({ length: N }, (_, i) => {
      let score = 0;
      for (let j = 0; j < DIM; j++)
        score += ((x[i * DIM + j] as number) - (pca.mean[j] as number)) * (pca.components[j] as number);
      return score;
    });
  }

  it("returns every embedding in the range with its PC1 score and quality signals", async () => {
    const res = await get(`?${range(0, 99)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 100, perPoint: 1, pc1Min: null, pc1Max: null });
    expect(res.body.reference).toMatchObject({ version: 1, pc1VarianceRatio: expect.any(Number) });
    // The reference was fitted on these 300 embeddings: its PC1 sample has their spread.
    const sample: number[] = res.body.reference.pc1Sample;
    expect(sample.length).toBeGreaterThan(100);
    const spread = (v: number[]) => Math.max(...v) - Math.min(...v);
    expect(spread(sample)).toBeCloseTo(spread(await expectedScores()), 0);
    expect(res.body.t).toEqual(Array.from({ length: 100 }, (_, i) => T0 + i * 1000));
    const scores = await expectedScores();
    res.body.pc1.forEach((score: number, i: number) => {
      expect(score).toBeCloseTo(scores[i] as number, 4);
    });
    expect(res.body.faceSize.slice(0, 5)).toEqual([100, 101, 102, null, 104]);
    expect(res.body.brightness[9]).toBeNull();
    expect(res.body.brightness[8]).toBe(4);
    expect(res.body.blur[0]).toBe(50);
    expect(new Set(res.body.seq).size).toBe(100);
  });

  it("buckets a range wider than `points` into equal-count buckets with mean, min and max", async () => {
    const res = await get(`?${range(0, N)}&points=10`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: N, perPoint: 30 });
    expect(res.body.pc1).toHaveLength(10);
    const scores = await expectedScores();
    for (let b = 0; b < 10; b++) {
      const bucket = scores.slice(b * 30, (b + 1) * 30);
      expect(res.body.pc1[b]).toBeCloseTo(bucket.reduce((a, v) => a + v, 0) / 30, 4);
      expect(res.body.pc1Min[b]).toBeCloseTo(Math.min(...bucket), 4);
      expect(res.body.pc1Max[b]).toBeCloseTo(Math.max(...bucket), 4);
      expect(res.body.t[b]).toBe(T0 + b * 30_000);
    }
  });

  it("takes the streaming worker's cached score where there is one", async () => {
    const stream = await getStream(t.db, await ensureTenant(t.db, "acme"), "lobby");
    const reference = await getActiveReferenceSet(t.db, stream.id);
    const first = await get(`?${range(0, 1)}`);
    const seq = first.body.seq[0] as number;
    // A marker value no projection gives, so the answer can only have come from the cache.
    await t.db
      .insert(embeddingScores)
      .values({ referenceSetId: Number(reference?.id), seq, streamId: stream.id, scores: [42, 0] });
    const cached = await get(`?${range(0, 1)}`);
    expect(cached.body.pc1[0]).toBe(42);
    expect(cached.body.pc1[1]).toBeCloseTo(first.body.pc1[1], 12);
    await t.db.delete(embeddingScores);
  });

  it("answers an empty range with empty columns, and a stream without reference without scores", async () => {
    const empty = await get(`?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z`);
    expect(empty.body).toMatchObject({ total: 0, t: [], pc1: [], faceSize: [] });
    const bare = await get(`?from=2000-01-01T00:00:00Z`, reader, "bare");
    expect(bare.status).toBe(200);
    expect(bare.body.reference).toBeNull();
    expect(bare.body.total).toBe(5);
    expect(bare.body.pc1).toEqual([null, null, null, null, null]);
  });

  it("draws on event time by default: an outbox's six hours are six hours, in ts order; arrival is one instant", async () => {
    const hours = (h: number) => new Date(T0 + h * 3_600_000).toISOString();
    const event = await get(`?from=${hours(0)}&to=${hours(3)}`, reader, "outbox");
    expect(event.body).toMatchObject({ time: "event", total: 31 });
    expect(event.body.t).toEqual(Array.from({ length: 31 }, (_, i) => T0 + i * 360_000));
    const bucketed = await get(`?from=${hours(0)}&to=${hours(6)}&points=10`, reader, "outbox");
    expect(bucketed.body.t).toEqual(Array.from({ length: 10 }, (_, b) => T0 + b * 6 * 360_000));
    const arrival = await get(`?from=${hours(6.9)}&to=${hours(7.1)}&time=arrival`, reader, "outbox");
    expect(arrival.body).toMatchObject({ time: "arrival", total: 60 });
    expect(new Set(arrival.body.t)).toEqual(new Set([T0 + 7 * 3_600_000]));
    // On event time nothing was seen then.
    expect((await get(`?from=${hours(6.9)}&to=${hours(7.1)}`, reader, "outbox")).body.total).toBe(0);
    expect((await get("?time=wall", reader, "outbox")).body.error.field).toBe("time");
  });

  it("refuses bad queries naming the field, and keeps tenants and scopes apart", async () => {
    expect((await get(`?${range(10, 0)}`)).body.error.field).toBe("from");
    expect((await get("?to=yesterday")).body.error.field).toBe("to");
    expect((await get("?points=5")).body.error.field).toBe("points");
    expect((await get("", other)).status).toBe(404);
    expect((await get("", ingestOnly)).status).toBe(403);
    expect((await t.call("GET", "/v1/streams/lobby/series")).status).toBe(401);
  });
});
