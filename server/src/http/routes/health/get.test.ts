import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp } from "../../test-app.ts";

describe("health and the OpenAPI document", () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;

  beforeAll(async () => {
    t = await createTestApp();
  }, 60_000);
  afterAll(() => t.close());

  it("answers /healthz and /readyz without auth", async () => {
    expect(await t.call("GET", "/healthz")).toEqual({ status: 200, body: { status: "ok" } });
    expect(await t.call("GET", "/readyz")).toEqual({ status: 200, body: { status: "ok" } });
  });

  it("serves an OpenAPI 3.1 document generated from the validating schemas", async () => {
    const { status, body } = await t.call("GET", "/openapi.json");
    expect(status).toBe(200);
    expect(body.openapi).toBe("3.1.0");
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        "/v1/streams/{stream}/embeddings",
        "/v1/streams",
        "/v1/streams/{stream}",
        "/v1/api-keys",
        "/v1/api-keys/{id}",
      ]),
    );
    const item = body.components.schemas.EmbeddingItem;
    expect(Object.keys(item.properties)).toEqual(
      expect.arrayContaining(["id", "ts", "embedding", "embedding_b64", "device", "metadata"]),
    );
    expect(body.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("answers unknown routes with the error shape", async () => {
    expect(await t.call("GET", "/v2/nothing")).toMatchObject({
      status: 404,
      body: { error: { code: "not_found" } },
    });
  });

  it("reports 503 from /readyz when a query over its tables fails, though SELECT 1 still answers", async () => {
    // A stand-in for a damaged folder: the tables every request reads are unreadable.
    await t.db.execute(sql`ALTER TABLE stream_cursors RENAME TO stream_cursors_away`);
    try {
      await t.db.execute(sql`SELECT 1`);
      expect(await t.call("GET", "/readyz")).toMatchObject({
        status: 503,
        body: { error: { code: "unavailable" } },
      });
    } finally {
      await t.db.execute(sql`ALTER TABLE stream_cursors_away RENAME TO stream_cursors`);
    }
    expect((await t.call("GET", "/readyz")).status).toBe(200);
  });

  it("reports 503 from /readyz once the database is gone", async () => {
    await t.close();
    const res = await t.call("GET", "/readyz");
    expect(res).toMatchObject({ status: 503, body: { error: { code: "unavailable" } } });
  });
});
