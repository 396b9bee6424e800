/**
 * Hostile input, every class the adversarial test of issue 14 found, against the whole app: none
 * answers 500, each answers a 4xx naming the field, nothing partial is written, and nothing is
 * acknowledged that is not stored. The property at the end covers every route with a JSON body
 * that the OpenAPI document lists, so a route added later is held to the same rules.
 */
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../db/database.ts";
import { createTestApp } from "./test-app.ts";

const model = { id: "hostile", version: "1" };
const TS = 1_790_000_000_000;

let t: Awaited<ReturnType<typeof createTestApp>>;
let admin: string;
let ingest: string;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.keyFor("acme", ["admin"]);
  ingest = await t.keyFor("acme", ["ingest"]);
  const seeded = await t.call("POST", "/v1/streams/cam/embeddings", {
    key: ingest,
    json: { model, items: [{ id: "seed", ts: TS, embedding: [1, 0, 0, 1] }] },
  });
  expect(seeded.status).toBe(200);
}, 60_000);
afterAll(() => t.close());

const count = async (table: string) =>
  Number((await queryRows<{ n: number }>(t.db, sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]?.n);

/** Row counts of every table a hostile request could write to. */
const TABLES = [
  "embeddings",
  "embedding_ids",
  "extraction_reports",
  "streams",
  "api_keys",
  "alert_channels",
  "reference_sets",
];
const snapshot = async () =>
  Object.fromEntries(await Promise.all(TABLES.map(async (n) => [n, await count(n)])));

async function raw(
  method: string,
  path: string,
  body: string | Uint8Array<ArrayBuffer>,
  headers: Record<string, string> = {},
) {
  const res = await t.app.request(path, {
    method,
    body,
    headers: { authorization: `Bearer ${admin}`, ...headers },
  });
  const text = await res.text();
  let json: { error?: { code: string; field?: string; message: string } } | null = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, json };
}

const ingestItem = (patch: Record<string, unknown>) => ({
  model,
  items: [{ id: "h", ts: TS, embedding: [1, 0, 0, 1], ...patch }],
});

describe("inputs that used to answer 500 answer 4xx, naming the field, writing nothing", () => {
  const cases: [string, string, string, unknown, string][] = [
    [
      "a vector over 16,000 dimensions",
      "POST",
      "/v1/streams/wide/embeddings",
      { model, items: [{ id: "w", ts: TS, embedding: new Array(16_001).fill(0.5) }] },
      "items[0].embedding",
    ],
    [
      "a lone surrogate in metadata",
      "POST",
      "/v1/streams/cam/embeddings",
      ingestItem({ metadata: { who: "\uD800" } }),
      "items[0].metadata.who",
    ],
    ["ts -8.64e15", "POST", "/v1/streams/cam/embeddings", ingestItem({ ts: -8.64e15 }), "items[0].ts"],
    ["ts -2e14", "POST", "/v1/streams/cam/embeddings", ingestItem({ ts: -2e14 }), "items[0].ts"],
    [
      "year 0000",
      "POST",
      "/v1/streams/cam/embeddings",
      ingestItem({ ts: "0000-01-01T00:00:00Z" }),
      "items[0].ts",
    ],
    [
      "30 February",
      "POST",
      "/v1/streams/cam/embeddings",
      ingestItem({ ts: "2026-02-30T10:00:00Z" }),
      "items[0].ts",
    ],
    [
      "epoch seconds for milliseconds",
      "POST",
      "/v1/streams/cam/embeddings",
      ingestItem({ ts: 1_790_000_000 }),
      "items[0].ts",
    ],
    ["NUL in an API key's name", "POST", "/v1/api-keys", { name: "k\u0000", scopes: ["read"] }, "name"],
    [
      "NUL in a channel's name",
      "POST",
      "/v1/alert-channels",
      { type: "webhook", name: "o\u0000ps", url: "https://hooks.example/x", secret: "0123456789abcdef" },
      "name",
    ],
    [
      "NUL in a channel's secret",
      "POST",
      "/v1/alert-channels",
      { type: "webhook", name: "ops", url: "https://hooks.example/x", secret: "0123456789abcdef\u0000" },
      "secret",
    ],
    [
      "NUL in a fit's description",
      "POST",
      "/v1/streams/cam/reference",
      { last: 1, description: "d\u0000" },
      "description",
    ],
    [
      "NUL in a push endpoint",
      "POST",
      "/v1/push/subscriptions",
      { endpoint: "https://push.example/\u0000", keys: { p256dh: "a", auth: "b" } },
      "endpoint",
    ],
    [
      "a lone surrogate in a reference file",
      "POST",
      "/v1/streams/cam/references/import",
      { format: "facedrift.reference/1", description: "\uDC00" },
      "description",
    ],
    [
      "NUL in a user's e-mail",
      "POST",
      "/v1/users",
      { email: "a\u0000@example.com", password: "correct horse battery staple" },
      "email",
    ],
  ];

  it.each(cases)("%s", async (_, method, path, body, field) => {
    const before = await snapshot();
    const res = await raw(method, path, JSON.stringify(body), { "content-type": "application/json" });
    expect(res.status).toBe(400);
    expect(res.json?.error?.field).toBe(field);
    expect(await snapshot()).toEqual(before);
  });

  it("metadata nested 100,000 levels deep", async () => {
    const deep = `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`;
    const body = `{"model":${JSON.stringify(model)},"items":[{"id":"d","ts":${TS},"embedding":[1,0,0,1],"metadata":${deep}}]}`;
    const res = await raw("POST", "/v1/streams/cam/embeddings", body, { "content-type": "application/json" });
    expect(res.status).toBe(400);
    expect(res.json?.error?.message).toMatch(/deeper than/);
  });

  it("a reference file nested 100,000 levels deep", async () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const res = await raw("POST", "/v1/streams/cam/references/import", `{"profile":${deep}}`, {
      "content-type": "application/json",
    });
    expect(res.status).toBe(400);
  });

  it.each([["the acknowledge note", "POST", "/v1/alerts/1/acknowledge", { note: "n\u0000" }, "note"]])(
    "NUL in %s",
    async (_, method, path, body, field) => {
      const res = await raw(method, path, JSON.stringify(body), { "content-type": "application/json" });
      expect(res.status).toBe(400);
      expect(res.json?.error?.field).toBe(field);
    },
  );

  it.each([
    ["/v1/verification-runs?model=m%00", "model"],
    ["/v1/streams/cam/embeddings?metadata_key=person&metadata_value=a%00", "metadata_value"],
  ])("NUL in the query %s", async (path, field) => {
    const method = path.includes("embeddings") ? "DELETE" : "GET";
    const before = await snapshot();
    const res = await t.app.request(path, { method, headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.field).toBe(field);
    expect(await snapshot()).toEqual(before);
  });

  it("NUL in the login e-mail, without any credential", async () => {
    const res = await t.app.request("/v1/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "a\u0000@example.com", password: "x" }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.field).toBe("email");
  });
});

describe("integers in a query or a path are decimal digits", () => {
  // `Number()` read these as 16, 1000, 3, 0 and 0: a malformed cursor was taken as another one.
  const texts = ["0x10", "1e3", "0b11", "", "%20", "5.0", "-0"];
  const places: [string, string][] = [
    ["/v1/streams/cam/embeddings?after_seq=", "after_seq"],
    ["/v1/streams/cam/embeddings?limit=", "limit"],
    ["/v1/incidents?before=", "before"],
    ["/v1/alerts?incident=", "incident"],
    ["/v1/streams/cam/series?points=", "points"],
    ["/v1/streams/cam/runs?before_id=", "before_id"],
    ["/v1/incidents/", "id"],
    ["/v1/streams/cam/references/", "version"],
  ];
  it.each(places)("%s… refuses what is not digits, naming %s", async (path, field) => {
    for (const text of texts) {
      const res = await t.call("GET", `${path}${text}`, { key: admin });
      if (path.endsWith("/") && text === "") continue; // another route (the listing)
      expect(res.status, `${path}${text}`).toBe(400);
      expect(res.body.error.field).toBe(field);
      expect(res.body.error.message).toMatch(/decimal digits/);
    }
    expect((await t.call("GET", `${path}12`, { key: admin })).status).not.toBe(400);
  });
});

describe("a fully rejected batch leaves nothing behind", () => {
  it.each([
    [
      "a bad vector in the last item",
      [
        { id: "a", ts: TS, embedding: [1, 0] },
        { id: "b", ts: TS, embedding: [0, 0] },
      ],
    ],
    ["a ts before 2001", [{ id: "a", ts: 0, embedding: [1, 0] }]],
    ["a lone surrogate id", [{ id: "\uDBFF", ts: TS, embedding: [1, 0] }]],
    [
      "metadata too deep",
      [
        {
          id: "a",
          ts: TS,
          embedding: [1, 0],
          metadata: { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } },
        },
      ],
    ],
  ])("%s: no stream is created", async (_, items) => {
    const stream = `fresh-${Math.random().toString(36).slice(2)}`;
    const res = await t.call("POST", `/v1/streams/${stream}/embeddings`, {
      key: ingest,
      json: { model, items },
    });
    expect(res.status).toBe(400);
    expect((await t.call("GET", `/v1/streams/${stream}`, { key: admin })).status).toBe(404);
  });
});

describe("nothing is acknowledged that is not stored", () => {
  it("a lone surrogate id is refused, and the U+FFFD id it used to collide with is stored", async () => {
    const lone = await raw(
      "POST",
      "/v1/streams/cam/embeddings",
      JSON.stringify(ingestItem({ id: "x\uD800" })),
      {
        "content-type": "application/json",
      },
    );
    expect(lone.status).toBe(400);
    expect(lone.json?.error?.field).toBe("items[0].id");
    const before = await count("embeddings");
    const replacement = await t.call("POST", "/v1/streams/cam/embeddings", {
      key: ingest,
      json: ingestItem({ id: "x\uFFFD" }),
    });
    expect(replacement.body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await count("embeddings")).toBe(before + 1);
    const stored = await queryRows<{ client_id: string }>(
      t.db,
      sql`SELECT client_id FROM embeddings WHERE client_id LIKE 'x%'`,
    );
    expect(stored.map((r) => r.client_id)).toEqual(["x\uFFFD"]);
  });
});

describe("bodies are JSON, UTF-8, as declared", () => {
  const body = JSON.stringify(ingestItem({ id: "ct" }));
  it.each([
    ["application/vnd.api+json"],
    ["application/json; charset=utf-16"],
    ["application/json; profile=x"],
    ["text/plain"],
  ])("%s is 415", async (contentType) => {
    const res = await raw("POST", "/v1/streams/cam/embeddings", body, { "content-type": contentType });
    expect(res.status).toBe(415);
  });

  it("application/json; charset=UTF-8 is read", async () => {
    const res = await raw("POST", "/v1/streams/cam/embeddings", body, {
      "content-type": "application/json; charset=UTF-8",
    });
    expect(res.status).toBe(200);
  });

  it("bytes that are not UTF-8 are a 400, not silently U+FFFD", async () => {
    const bytes = new Uint8Array([
      ...Buffer.from('{"model":{"id":"hostile","version":"1"},"items":[{"id":"'),
      0xff,
      ...Buffer.from(`","ts":${TS},"embedding":[1,0,0,1]}]}`),
    ]);
    const res = await raw("POST", "/v1/streams/cam/embeddings", bytes, {
      "content-type": "application/json",
    });
    expect(res.status).toBe(400);
    expect(res.json?.error?.code).toBe("invalid_json");
  });
});

describe("every JSON route of the API, whatever hostile text it is sent", () => {
  it("answers 4xx (never 5xx, never 2xx) to a NUL, a lone surrogate or deep nesting anywhere in the body", async () => {
    const doc = (await t.call("GET", "/openapi.json")).body as {
      paths: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> } }>>;
    };
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => op.requestBody?.content?.["application/json"])
        .map(([method, _]) => ({
          method: method.toUpperCase(),
          path: path.replace("{stream}", "cam").replace(/\{[a-z_]+\}/g, "1"),
        })),
    );
    expect(routes.length).toBeGreaterThan(10);
    const hostile = fc.oneof(
      fc.string().map((s) => `${s}\u0000`),
      fc.string().map((s) => `${s}\uD800`),
      fc.string().map((s) => `\uDC00${s}`),
    );
    // A JSON tree with one hostile string (or key) somewhere inside, or nested too deep.
    const tree = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        hostile,
        fc.record({ ok: fc.jsonValue({ maxDepth: 2 }), bad: tie("node") }),
        fc.tuple(fc.jsonValue({ maxDepth: 1 }), tie("node")),
        hostile.map((k) => ({ [k]: 1 })),
        fc.integer({ min: 40, max: 200 }).map((n) => JSON.parse(`${"[".repeat(n)}${"]".repeat(n)}`)),
      ),
    })).node;
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), tree, async (route, body) => {
        const res = await raw(route.method, route.path, JSON.stringify(body), {
          "content-type": "application/json",
        });
        expect(res.status, `${route.method} ${route.path}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${route.method} ${route.path}`).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
    expect(await snapshot()).toEqual(before);
  });
});
