import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../../../db/database.ts";
import { TEST_DRIVERS } from "../../../../db/testing/postgres-database.ts";
import { createReferenceSet } from "../../../../services/reference-sets/create.ts";
import { createTestApp } from "../../../test-app.ts";

const model = { id: "m", version: "1" };
const url = "/v1/streams/lobby/embeddings";

describe.each(TEST_DRIVERS)("DELETE /v1/streams/{stream}/embeddings (privacy deletion) (%s)", (driver) => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let admin: string;
  let ingest: string;

  const ids = async () =>
    (await queryRows<{ id: string }>(t.db, sql`SELECT client_id AS id FROM embeddings ORDER BY seq`)).map(
      (r) => r.id,
    );

  beforeAll(async () => {
    t = await createTestApp({}, { over: driver === "postgres" ? "postgres" : "in-process" });
    admin = await t.keyFor("acme", ["admin"]);
    ingest = await t.keyFor("acme", ["ingest"]);
    const items = [
      { id: "a1", device: "phone-a", metadata: { person: "p1" } },
      { id: "a2", device: "phone-a", metadata: { person: "p2" } },
      { id: "b1", device: "phone-b", metadata: { person: "p1" } },
      { id: "b2", device: "phone-b" },
      { id: "c1" },
    ].map((item, i) => ({ ...item, ts: 1_790_000_000_001, embedding: [1, i] }));
    const res = await t.call("POST", url, { key: ingest, json: { model, items } });
    expect(res.body.accepted).toBe(5);
    // Scores the streaming worker would have cached for every row (derived data: it must go too).
    const [stream] = await queryRows<{ id: string }>(t.db, sql`SELECT id::text AS id FROM streams`);
    const set = await createReferenceSet(t.db, { streamId: Number(stream?.id), vectors: [[1, 0]] });
    await t.db.execute(sql`INSERT INTO embedding_scores (reference_set_id, seq, stream_id, scores)
      SELECT ${set.id}, seq, stream_id, ARRAY[1.0, 2.0] FROM embeddings`);
  }, 60_000);

  const scoredIds = async () =>
    (
      await queryRows<{ id: string }>(
        t.db,
        sql`SELECT e.client_id AS id FROM embedding_scores s JOIN embeddings e ON e.seq = s.seq ORDER BY s.seq`,
      )
    ).map((r) => r.id);
  afterAll(() => t.close());

  it("erases one device's rows and their ledger entries, and audits a hash of the device", async () => {
    const res = await t.call("DELETE", `${url}?device=phone-a`, { key: admin });
    // The reference's one stored vector, [1, 0], is a1's: erased with it (no profile to touch).
    expect(res).toEqual({
      status: 200,
      body: {
        deleted: 2,
        archived: { daysScanned: 0, days: [], rows: 0 },
        references: [
          { version: 1, storedVectorsRemoved: 1, mmdSampleRowsRemoved: 0, ksSampleRowsRemoved: 0 },
        ],
      },
    });
    expect(await ids()).toEqual(["b1", "b2", "c1"]);
    expect(await scoredIds()).toEqual(["b1", "b2", "c1"]);
    expect(
      (await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM embedding_scores`))[0]?.n,
    ).toBe(3);
    const stream = await t.call("GET", "/v1/streams/lobby", { key: admin });
    expect(stream.body.embeddingCount).toBe(3);
    // The ledger forgot the ids: sending a1 again stores it anew.
    const again = await t.call("POST", url, {
      key: ingest,
      json: { model, items: [{ id: "a1", ts: 1_790_000_000_001, embedding: [1, 9] }] },
    });
    expect(again.body).toMatchObject({ accepted: 1, duplicates: 0 });
    const [audit] = await queryRows<{ actor: string; target: string; details: string }>(
      t.db,
      sql`SELECT actor, target, details::text AS details FROM audit_log WHERE action = 'embeddings.delete'`,
    );
    expect(audit?.actor).toMatch(/^key:\d+$/);
    expect(audit?.target).toBe("stream:lobby");
    const details = JSON.parse(audit!.details);
    expect(details).toMatchObject({ criterion: "device", deleted: 2, ledgerEntries: 2 });
    expect(details.valueSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(audit!.details).not.toContain("phone-a");
  });

  it("erases by metadata value", async () => {
    const res = await t.call("DELETE", `${url}?metadata_key=person&metadata_value=p1`, { key: admin });
    expect(res.body).toMatchObject({ deleted: 1, references: [] });
    expect(await ids()).toEqual(["b2", "c1", "a1"]);
    const none = await t.call("DELETE", `${url}?device=nobody`, { key: admin });
    expect(none.body).toMatchObject({ deleted: 0 });
  });

  it("wants exactly one criterion, an admin key and the tenant's stream", async () => {
    const bad = async (query: string, field: string) => {
      const res = await t.call("DELETE", `${url}${query}`, { key: admin });
      expect(res).toMatchObject({ status: 400, body: { error: { code: "invalid_request", field } } });
    };
    await bad("", "device");
    await bad("?device=x&metadata_key=k&metadata_value=v", "device");
    await bad("?metadata_key=person", "metadata_value");
    await bad("?metadata_value=p1", "metadata_key");
    await bad("?device=", "device");
    expect((await t.call("DELETE", `${url}?device=phone-b`, { key: ingest })).status).toBe(403);
    const other = await t.keyFor("globex", ["admin"]);
    expect((await t.call("DELETE", `${url}?device=phone-b`, { key: other })).status).toBe(404);
    expect(await ids()).toEqual(["b2", "c1", "a1"]);
  });
});
