/**
 * `metadata.quality` on the ingest API: a number under a known signal's name outside what that
 * signal can be is refused with the field named, and nothing of the batch is written. Validation
 * runs before the transaction, so both drivers take the same path; PostgreSQL runs too when it is
 * available (CI).
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../../../db/database.ts";
import { postgresAvailable } from "../../../../db/testing/postgres-database.ts";
import { createTestApp, type TestAppDatabase } from "../../../test-app.ts";

const model = { id: "arcface", version: "1" };
const url = (stream: string) => `/v1/streams/${stream}/embeddings`;
const vec = (seed: number) => [seed + 1, 0.5, -0.25, 2];
/** What the product's pipeline records for a face (models/src/pipeline/quality.ts). */
const good = {
  faceSize: 112.5,
  detectorScore: 0.97,
  blur: 140,
  brightness: 118,
  contrast: 52,
  clipped: 0.02,
  saturation: 31,
  noise: 2.4,
  alignmentError: 0.06,
  embeddingNorm: 21.7,
};

const overs: TestAppDatabase[] = postgresAvailable ? ["in-process", "postgres"] : ["in-process"];

describe.each(overs)("metadata.quality on POST /v1/streams/{stream}/embeddings (%s)", (over) => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let key: string;

  beforeAll(async () => {
    t = await createTestApp({}, { over });
    key = await t.keyFor("acme", ["ingest"]);
  }, 60_000);
  afterAll(() => t.close());

  const post = (stream: string, json: unknown) => t.call("POST", url(stream), { key, json });
  const rows = async () =>
    queryRows<{ id: string; quality: unknown }>(
      t.db,
      sql`SELECT client_id AS id, metadata->'quality' AS quality FROM embeddings ORDER BY client_id`,
    );
  /** Four good items, then one whose quality has `name: value`. */
  const batch = (prefix: string, name: string, value: unknown) => ({
    model,
    items: [
      ...[0, 1, 2, 3].map((i) => ({
        id: `${prefix}-${i}`,
        ts: 1_790_000_000_000 + i,
        embedding: vec(i),
        metadata: { quality: good },
      })),
      {
        id: `${prefix}-4`,
        ts: 1_790_000_000_004,
        embedding: vec(4),
        metadata: { quality: { ...good, [name]: value } },
      },
    ],
  });

  it("stores what the pipeline records, the ranges' edges, strings and unknown keys", async () => {
    const edges = { ...good, detectorScore: 1, blur: 0, brightness: 255, contrast: 0, clipped: 1, noise: 0 };
    const res = await post("gate", {
      model,
      items: [
        { id: "ok-0", ts: 1_790_000_000_000, embedding: vec(0), metadata: { quality: good } },
        { id: "ok-1", ts: 1_790_000_000_001, embedding: vec(1), metadata: { quality: edges } },
        {
          id: "ok-2",
          ts: 1_790_000_000_002,
          embedding: vec(2),
          // Not numbers, and keys the detectors do not know, are kept as before (and ignored by them).
          metadata: { quality: { faceSize: "big", embeddingNorm: null, myScore: -1e308 } },
        },
      ],
    });
    expect(res).toMatchObject({ status: 200, body: { accepted: 3 } });
    expect((await rows()).map((r) => r.id)).toEqual(["ok-0", "ok-1", "ok-2"]);
  });

  const cases: [string, unknown][] = [
    ["faceSize", -1e308],
    ["faceSize", 0],
    ["faceSize", -14],
    ["faceSize", 1e308],
    ["detectorScore", 1.5],
    ["detectorScore", -0.01],
    ["blur", -1e308],
    ["brightness", 256],
    ["contrast", -3],
    ["clipped", 2],
    ["saturation", 1e308],
    ["noise", -0.5],
    ["alignmentError", -1],
    ["embeddingNorm", 0],
    ["embeddingNorm", 1e308],
    ["alignmentError", 1e308],
    ["blur", 2e6],
    ["noise", 1e308],
  ];
  it.each(cases)(
    "refuses %s = %s with a 400 naming items[4].metadata.quality.<signal>, writing nothing",
    async (name, value) => {
      const before = await rows();
      const res = await post("gate", batch(`bad-${name}-${String(value)}`, name, value));
      const field = `items[4].metadata.quality.${name}`;
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: "invalid_request", item: 4, field });
      expect(res.body.error.message).toContain(field);
      expect(res.body.error.message).toMatch(/must be/);
      expect(await rows()).toEqual(before);
    },
  );

  it("refuses a huge face size on a new stream without creating the stream", async () => {
    const res = await post("fresh", batch("fresh", "faceSize", 1e308));
    expect(res.body.error).toMatchObject({ field: "items[4].metadata.quality.faceSize" });
    const streams = await queryRows<{ n: number }>(
      t.db,
      sql`SELECT count(*)::int AS n FROM streams WHERE name = 'fresh'`,
    );
    expect(streams[0]?.n).toBe(0);
  });
});
