/**
 * Property-based fuzzing of the ingestion body: whatever arrives, the answer is a 2xx with the
 * documented shape or a 4xx with the one error shape — never a 5xx — and a 4xx writes nothing.
 */
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../../../db/database.ts";
import { createTestApp } from "../../../test-app.ts";

const model = { id: "fuzz-model", version: "1" };
const D = 4;
const b64 = (values: number[]) => Buffer.from(Float32Array.from(values).buffer).toString("base64");

let t: Awaited<ReturnType<typeof createTestApp>>;
let key: string;

beforeAll(async () => {
  t = await createTestApp({ maxBatchItems: 20, maxBodyBytes: 64 * 1024 });
  key = await t.keyFor("fuzz", ["ingest"]);
  // Fix the stream's model and dimension first.
  const first = await t.call("POST", "/v1/streams/fz/embeddings", {
    key,
    json: { model, items: [{ id: "seed", ts: 1_790_000_000_001, embedding: [1, 2, 3, 4] }] },
  });
  expect(first.status).toBe(200);
}, 60_000);
afterAll(() => t.close());

const rowCount = async () =>
  Number((await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM embeddings`))[0]?.n);

async function send(body: string, contentType = "application/json") {
  const res = await t.app.request("/v1/streams/fz/embeddings", {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": contentType },
    body,
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return {
    status: res.status,
    json: json as { error?: { code: string; message: string } } & Record<string, unknown>,
  };
}

/** Asserts the contract for one response; returns whether it was accepted. */
async function expectContract(body: string, before: number, contentType?: string): Promise<boolean> {
  const res = await send(body, contentType);
  expect(res.status, `5xx for ${body.slice(0, 200)}`).toBeLessThan(500);
  if (res.status === 200) {
    expect(res.json).toMatchObject({ accepted: expect.any(Number), duplicates: expect.any(Number) });
    return true;
  }
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.json?.error?.code).toEqual(expect.any(String));
  expect(res.json?.error?.message).toEqual(expect.any(String));
  expect(await rowCount()).toBe(before);
  return false;
}

const anyJson = fc.jsonValue({ maxDepth: 3 });
const item = fc.record(
  {
    id: fc.oneof(
      fc.string({ unit: "grapheme", minLength: 0, maxLength: 140 }),
      fc.integer(),
      fc.constant(null),
    ),
    ts: fc.oneof(fc.constant("2026-11-26T10:00:00Z"), fc.integer(), fc.string(), fc.double()),
    embedding: fc.oneof(
      fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: D, maxLength: D }),
      fc.array(fc.double(), { minLength: 0, maxLength: 6 }),
      anyJson,
    ),
    embedding_b64: fc.oneof(
      fc.constant(b64([1, 2, 3, 4])),
      fc.constant(b64([1, 2, 3, 4]).slice(0, -3)),
      fc.base64String(),
      fc.string(),
    ),
    device: fc.oneof(fc.string(), fc.integer()),
    metadata: anyJson,
  },
  { requiredKeys: [] },
);
const body = fc.record(
  {
    model: fc.oneof(fc.constant(model), fc.constant({ id: "other", version: "1" }), anyJson),
    items: fc.oneof(fc.array(item, { maxLength: 25 }), anyJson),
  },
  { requiredKeys: [] },
);

describe("ingestion fuzzing", () => {
  it("structured garbage: 2xx or a 4xx naming the problem, never partial writes", async () => {
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        await expectContract(JSON.stringify(b), await rowCount());
      }),
      { numRuns: 150, seed: 20261126 },
    );
  }, 180_000);

  it("raw bytes, truncations, huge numbers and wrong content types", async () => {
    const valid = JSON.stringify({
      model,
      items: [{ id: "r", ts: 1_790_000_000_001, embedding: [1, 2, 3, 4] }],
    });
    const raw = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.nat({ max: valid.length }).map((n) => valid.slice(0, n)),
      fc.constantFrom(
        valid.replace("[1,2,3,4]", "[1e400,2,3,4]"),
        valid.replace("[1,2,3,4]", "[NaN,2,3,4]"),
        valid.replace("[1,2,3,4]", "[0,0,0,0]"),
        valid.replace('"r"', '"\\ud800"'),
        valid.replace('"r"', `"${"é".repeat(129)}"`),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        raw,
        fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded"),
        async (text, type) => {
          await expectContract(text, await rowCount(), type);
        },
      ),
      { numRuns: 120, seed: 7 },
    );
  }, 180_000);

  it("refuses NUL characters, which PostgreSQL text cannot hold, naming the field", async () => {
    const before = await rowCount();
    const cases = [
      [{ id: "a\u0000b" }, "items[0].id"],
      [{ id: "ok", device: "cam\u0000" }, "items[0].device"],
      [{ id: "ok", metadata: { note: "x\u0000" } }, "items[0].metadata.note"],
    ] as const;
    for (const [patch, field] of cases) {
      const res = await send(
        JSON.stringify({ model, items: [{ ts: 1_790_000_000_001, embedding: [1, 0, 0, 1], ...patch }] }),
      );
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ field });
    }
    expect(await rowCount()).toBe(before);
  });

  it("unicode ids are data, not errors, and are stored once", async () => {
    const before = await rowCount();
    const items = ["名前", "🙂‍↔️", "ünïcødé\u200b", "x".repeat(128)].map((id) => ({
      id,
      ts: 1_790_000_000_001,
      embedding: [1, 0, 0, 1],
    }));
    const first = await send(JSON.stringify({ model, items }));
    expect(first.json).toMatchObject({ accepted: 4, duplicates: 0 });
    const again = await send(JSON.stringify({ model, items }));
    expect(again.json).toMatchObject({ accepted: 0, duplicates: 4 });
    expect(await rowCount()).toBe(before + 4);
  });
});
