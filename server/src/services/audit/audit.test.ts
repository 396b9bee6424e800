import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../db/database.ts";
import { createTestApp } from "../../http/test-app.ts";

describe("audit log of API key changes", () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    t = await createTestApp();
  }, 60_000);
  afterAll(() => t.close());

  it("records who created and revoked a key, never its secret", async () => {
    const admin = await t.keyFor("acme", ["admin"]);
    const created = await t.call("POST", "/v1/api-keys", {
      key: admin,
      json: { name: "cam", scopes: ["ingest"] },
    });
    expect(created.status).toBe(201);
    const id = created.body.key.id;
    expect((await t.call("DELETE", `/v1/api-keys/${id}`, { key: admin })).status).toBe(200);
    const rows = await queryRows<{ actor: string; action: string; target: string; details: string }>(
      t.db,
      sql`SELECT actor, action, target, details::text AS details FROM audit_log ORDER BY id`,
    );
    // The audit trail is the operator's: it names the row id behind the public id the API gave.
    const row = await t.rowId("api-key", id);
    expect(rows.map(({ action, target }) => ({ action, target }))).toEqual([
      { action: "api_key.create", target: `api_key:${row}` },
      { action: "api_key.revoke", target: `api_key:${row}` },
    ]);
    expect(rows[0]?.actor).toMatch(/^key:\d+$/);
    expect(JSON.parse(rows[0]!.details)).toEqual({ name: "cam", scopes: ["ingest"] });
    expect(rows.map((r) => r.details).join()).not.toContain(created.body.secret);
  });
});
