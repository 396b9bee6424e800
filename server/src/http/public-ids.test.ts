import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../db/database.ts";
import { TEST_DRIVERS } from "../db/testing/postgres-database.ts";
import { ID_KINDS, ID_SPACE, PublicIds } from "../ids/public-ids.ts";
import {
  cursorId,
  internalId,
  PUBLIC_ID_EXTENSION,
  publicIdRecord,
  publicIdSchema,
  publicIdsOut,
} from "./public-ids.ts";
import { createTestApp } from "./test-app.ts";

describe("public ids: a keyed permutation of row ids", () => {
  const ids = new PublicIds(new Uint8Array(32).fill(7));

  it("decodes what it encodes, for every kind, and stays in [1, 2^52]", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ID_KINDS), fc.integer({ min: 1, max: ID_SPACE - 1 }), (kind, id) => {
        const publicId = ids.encode(kind, id);
        expect(publicId).toBeGreaterThanOrEqual(1);
        expect(publicId).toBeLessThanOrEqual(ID_SPACE);
        expect(ids.decode(kind, publicId)).toBe(id);
      }),
    );
  });

  it("gives consecutive row ids unrelated, unordered public ids, different per kind and per key", () => {
    const run = Array.from({ length: 1000 }, (_, i) => ids.encode("alert", i + 1));
    expect(new Set(run).size).toBe(1000);
    const rising = run.slice(1).filter((id, i) => id > run[i]!).length;
    expect(rising).toBeGreaterThan(400);
    expect(rising).toBeLessThan(600);
    expect(Math.min(...run.slice(1).map((id, i) => Math.abs(id - run[i]!)))).toBeGreaterThan(1000);
    expect(ids.encode("incident", 1)).not.toBe(ids.encode("alert", 1));
    expect(new PublicIds(new Uint8Array(32).fill(8)).encode("alert", 1)).not.toBe(ids.encode("alert", 1));
  });

  it("refuses what no row id maps to", () => {
    for (const bad of [0, -1, 1.5, ID_SPACE + 1, Number.MAX_SAFE_INTEGER, Number.NaN]) {
      expect(ids.decode("alert", bad)).toBeNull();
    }
    expect(() => ids.encode("alert", 0)).toThrow();
    expect(() => ids.encode("alert", ID_SPACE)).toThrow();
  });
});

describe("publicIdsOut: a response's marked ids, wherever they sit", () => {
  const ids = new PublicIds(new Uint8Array(32).fill(9));
  const Finding = z.object({
    id: publicIdSchema("alert"),
    incidentId: publicIdSchema("incident").nullable(),
  });
  const Detail = Finding.extend({
    history: z.array(z.object({ alertId: publicIdSchema("alert").optional(), at: z.string() })),
    payload: publicIdRecord("free-form"),
    trigger: z.union([
      z.object({ kind: z.literal("api"), actor: z.string() }),
      z.object({ kind: z.literal("batch-drift"), driftRunId: publicIdSchema("drift-run") }),
    ]),
    count: z.number().int(),
  });
  const Page = z.object({ items: z.array(Detail), nextBefore: publicIdSchema("alert").nullable() });

  it("encodes marked fields in nested objects, arrays, unions, nullables and free-form payloads, and nothing else", () => {
    const row = {
      id: 3,
      incidentId: null,
      history: [{ alertId: 3, at: "x" }, { at: "y" }],
      payload: { runId: 7, nested: [{ referenceSetId: 2 }], seq: 40, title: "t" },
      trigger: { kind: "batch-drift", driftRunId: 7 },
      count: 12,
      extra: 5,
    };
    const out = publicIdsOut(ids, Page, {
      items: [row, { ...row, id: 4, incidentId: 1, trigger: { kind: "api", actor: "key:1" } }],
      nextBefore: 4,
    });
    const [first, second] = out.items as (typeof row)[];
    expect(first).toEqual({
      ...row,
      id: ids.encode("alert", 3),
      history: [{ alertId: ids.encode("alert", 3), at: "x" }, { at: "y" }],
      payload: {
        runId: ids.encode("drift-run", 7),
        nested: [{ referenceSetId: ids.encode("reference", 2) }],
        seq: 40,
        title: "t",
      },
      trigger: { kind: "batch-drift", driftRunId: ids.encode("drift-run", 7) },
    });
    expect(second).toMatchObject({
      id: ids.encode("alert", 4),
      incidentId: ids.encode("incident", 1),
      trigger: { actor: "key:1" },
    });
    expect(out.nextBefore).toBe(ids.encode("alert", 4));
  });

  it("decodes path ids and cursors; one no row could have is a 404 or a 400 naming the field", () => {
    expect(internalId(ids, "incident", ids.encode("incident", 42))).toBe(42);
    expect(() => internalId(ids, "incident", ID_SPACE + 1)).toThrow(
      expect.objectContaining({ code: "not_found", field: "id" }),
    );
    expect(cursorId(ids, "alert", undefined)).toBeUndefined();
    expect(cursorId(ids, "alert", ids.encode("alert", 9))).toBe(9);
    expect(() => cursorId(ids, "alert", ID_SPACE + 1)).toThrow(
      expect.objectContaining({ code: "invalid_request", field: "before" }),
    );
  });
});

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  [PUBLIC_ID_EXTENSION]?: string;
};

/** An integer field or parameter whose name says it is a row id or a cursor over row ids. */
const ID_LIKE = /^(id|.*Id|before|before_id|nextBefore.*)$/;
const isInteger = (s: JsonSchema) =>
  s.type === "integer" || (Array.isArray(s.type) && s.type.includes("integer"));

describe("the OpenAPI document", () => {
  it("marks every id-like integer (responses, bodies, path and query) as a public id", async () => {
    const t = await createTestApp();
    try {
      const doc = await (await t.app.request("/openapi.json")).json();
      const unmarked: string[] = [];
      const seen = new Set<JsonSchema>();
      const visit = (schema: JsonSchema | undefined, where: string, name?: string) => {
        if (!schema || seen.has(schema)) return;
        seen.add(schema);
        if (schema.$ref) {
          const ref = schema.$ref.replace("#/components/schemas/", "");
          return visit(doc.components.schemas[ref], `${where} (${ref})`, name);
        }
        if (name && ID_LIKE.test(name) && isInteger(schema) && !schema[PUBLIC_ID_EXTENSION])
          unmarked.push(where);
        for (const [key, value] of Object.entries(schema.properties ?? {}))
          visit(value, `${where}.${key}`, key);
        visit(schema.items, `${where}[]`, name);
        for (const part of [...(schema.allOf ?? []), ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) {
          visit(part, where, name);
        }
      };
      type Content = Record<string, { schema?: JsonSchema }>;
      type Operation = {
        parameters?: { in: string; name: string; schema?: JsonSchema }[];
        requestBody?: { content?: Content };
        responses?: Record<string, { content?: Content }>;
      };
      for (const [path, operations] of Object.entries(
        doc.paths as Record<string, Record<string, Operation>>,
      )) {
        for (const [method, op] of Object.entries(operations)) {
          for (const p of op.parameters ?? []) visit(p.schema, `${method} ${path} ${p.in} ${p.name}`, p.name);
          for (const [type, c] of Object.entries(op.requestBody?.content ?? {})) {
            visit(c.schema, `${method} ${path} body ${type}`);
          }
          for (const [status, r] of Object.entries(op.responses ?? {})) {
            for (const c of Object.values(r.content ?? {})) visit(c.schema, `${method} ${path} ${status}`);
          }
        }
      }
      expect(unmarked).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

/**
 * The leak of issue 14: row ids come from sequences every tenant shares, so the ids tenant B sees
 * before and after tenant A writes N rows are N + 1 apart, and B learns A's volume. B's ids must
 * say nothing of it: the rows are N + 1 apart in the database, B's public ids are not.
 */
describe.each(TEST_DRIVERS)("two tenants on %s", (driver) => {
  const N = 5;
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let adminA: string;
  let adminB: string;

  beforeAll(async () => {
    t = await createTestApp({}, { over: driver === "postgres" ? "postgres" : "in-process" });
    adminA = await t.keyFor("tenant-a", ["admin"]);
    adminB = await t.keyFor("tenant-b", ["admin"]);
    for (const key of [adminA, adminB]) {
      const ingested = await t.call("POST", "/v1/streams/lobby/embeddings", {
        key,
        json: {
          model: { id: "m", version: "1" },
          items: [{ id: "a", ts: 1_790_000_000_001, embedding: [1, 0] }],
        },
      });
      expect(ingested.status).toBe(200);
    }
  }, 120_000);
  afterAll(() => t?.close());

  /** What B sees when it makes one row of each kind: the API key, channel and alert ids. */
  async function bWrites(label: string): Promise<{ key: number; channel: number; alert: number }> {
    return {
      key: (await createKey(adminB, label)).body.key.id,
      channel: (await createChannel(adminB, label)).body.id,
      alert: await raiseAlert("tenant-b"),
    };
  }
  const createKey = (key: string, name: string) =>
    t.call("POST", "/v1/api-keys", { key, json: { name, scopes: ["read"] } });
  const createChannel = (key: string, name: string) =>
    t.call("POST", "/v1/alert-channels", {
      key,
      json: {
        type: "webhook",
        name,
        url: "https://hooks.example.com/facedrift",
        secret: "a-webhook-secret-of-some-length",
      },
    });
  /** A finding on the tenant's stream (detectors make them; here straight into the table), as B lists it. */
  async function raiseAlert(tenant: string): Promise<number> {
    await t.db.execute(
      sql`INSERT INTO alerts (tenant_id, stream_id, detector, severity, payload)
          SELECT s.tenant_id, s.id, 'stream', 'warning', '{"title":"t"}'
          FROM streams s JOIN tenants tn ON tn.id = s.tenant_id WHERE tn.name = ${tenant}`,
    );
    if (tenant !== "tenant-b") return 0;
    const listed = await t.call("GET", "/v1/alerts?limit=1", { key: adminB });
    return listed.body.items[0].id;
  }

  it("B's ids do not count A's rows", async () => {
    const before = await bWrites("b-before");
    for (let i = 0; i < N; i++) {
      expect((await createKey(adminA, `a-${i}`)).status).toBe(201);
      expect((await createChannel(adminA, `a-${i}`)).status).toBe(201);
      await raiseAlert("tenant-a");
    }
    const after = await bWrites("b-after");

    // In the database, B's rows are N + 1 apart: the sequences are shared.
    const rowGap = async (table: "api_keys" | "alert_channels" | "alerts") => {
      const [row] = await queryRows<{ gap: number }>(
        t.db,
        sql`SELECT (max(x.id) - min(x.id))::int AS gap FROM ${sql.raw(table)} x
            JOIN tenants tn ON tn.id = x.tenant_id
            WHERE tn.name = 'tenant-b' AND ${sql.raw(table === "alerts" ? "true" : "x.name IN ('b-before', 'b-after')")}`,
      );
      return row!.gap;
    };
    expect(await rowGap("alert_channels")).toBe(N + 1);
    expect(await rowGap("alerts")).toBe(N + 1);
    expect(await rowGap("api_keys")).toBe(N + 1);

    // What B sees says nothing of it: neither the gap nor small, ordered numbers.
    for (const kind of ["key", "channel", "alert"] as const) {
      expect(Math.abs(after[kind] - before[kind]), kind).not.toBe(N + 1);
      expect(Math.abs(after[kind] - before[kind]), kind).toBeGreaterThan(2 ** 20);
    }
    // B's own session-free views agree with what it was given (ids round-trip through the API).
    const keys = await t.call("GET", "/v1/api-keys", { key: adminB });
    expect(keys.body.keys.map((k: { id: number }) => k.id)).toEqual(
      expect.arrayContaining([before.key, after.key]),
    );
    expect((await t.call("DELETE", `/v1/api-keys/${after.key}`, { key: adminB })).status).toBe(200);
    expect((await t.call("DELETE", `/v1/api-keys/${after.key}`, { key: adminA })).status).toBe(404);
    const alerts = await t.call("GET", `/v1/alerts?limit=1&before=${after.alert}`, { key: adminB });
    expect(alerts.body.items.map((a: { id: number }) => a.id)).toEqual([before.alert]);
  }, 120_000);
});
