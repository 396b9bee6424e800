import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp } from "../../test-app.ts";

describe("/v1/api-keys", () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.keyFor("acme", ["admin"]);
  }, 60_000);
  afterAll(() => t.close());

  it("creates a key whose secret is shown once and works at once", async () => {
    const created = await t.call("POST", "/v1/api-keys", {
      key: admin,
      json: { name: "camera", scopes: ["ingest"] },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^fd_[A-Za-z0-9_-]{43}$/);
    expect(created.body.key).toMatchObject({ name: "camera", scopes: ["ingest"], revokedAt: null });
    expect(created.body.secret.startsWith(created.body.key.prefix)).toBe(true);
    const use = await t.call("POST", "/v1/streams/s/embeddings", {
      key: created.body.secret,
      json: { model: { id: "m", version: "1" }, items: [{ id: "1", ts: 1_790_000_000_001, embedding: [1] }] },
    });
    expect(use.status).toBe(200);
  });

  it("lists keys without secrets or hashes", async () => {
    const res = await t.call("GET", "/v1/api-keys", { key: admin });
    expect(res.status).toBe(200);
    expect(res.body.keys.map((k: { name: string }) => k.name)).toContain("camera");
    const text = JSON.stringify(res.body);
    expect(text).not.toMatch(/fd_[A-Za-z0-9_-]{43}/);
    expect(text).not.toMatch(/[0-9a-f]{64}/);
    const used = res.body.keys.find((k: { name: string }) => k.name === "camera");
    expect(used.lastUsedAt).not.toBeNull();
  });

  it("revokes a key, which then gets 401", async () => {
    const { body } = await t.call("POST", "/v1/api-keys", {
      key: admin,
      json: { name: "temp", scopes: ["read"] },
    });
    const revoked = await t.call("DELETE", `/v1/api-keys/${body.key.id}`, { key: admin });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    expect((await t.call("GET", "/v1/streams", { key: body.secret })).status).toBe(401);
  });

  it("scopes keys to the caller's tenant", async () => {
    const other = await t.keyFor("globex", ["admin"]);
    const { body } = await t.call("POST", "/v1/api-keys", {
      key: admin,
      json: { name: "mine", scopes: ["read"] },
    });
    expect((await t.call("DELETE", `/v1/api-keys/${body.key.id}`, { key: other })).status).toBe(404);
    const names = (await t.call("GET", "/v1/api-keys", { key: other })).body.keys.map(
      (k: { name: string }) => k.name,
    );
    expect(names).not.toContain("mine");
  });

  it("needs the admin scope and valid input", async () => {
    const reader = await t.keyFor("acme", ["read", "ingest"]);
    expect((await t.call("GET", "/v1/api-keys", { key: reader })).status).toBe(403);
    const bad = await t.call("POST", "/v1/api-keys", { key: admin, json: { name: "x", scopes: ["root"] } });
    expect(bad).toMatchObject({ status: 400, body: { error: { field: "scopes[0]" } } });
    expect((await t.call("DELETE", "/v1/api-keys/999999", { key: admin })).status).toBe(404);
  });
});
