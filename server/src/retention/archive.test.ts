import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { parquetReadObjects } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { openMigratedTestDatabase, TEST_DRIVERS } from "../db/testing/postgres-database.ts";
import { ingestEmbeddings } from "../services/embeddings/ingest.ts";
import { ensureTenant } from "../services/tenants/default.ts";
import { archiveExpired } from "./archive.ts";
import { LocalArchiveStore } from "./local-store.ts";

const NOW = new Date("2026-11-26T12:00:00Z");
const model = { id: "m", version: "1" };

describe.each(TEST_DRIVERS)("archiveExpired (local store, %s)", (driver) => {
  let opened: Awaited<ReturnType<typeof openMigratedTestDatabase>>;
  let database: Database;
  let dir: string;
  let store: LocalArchiveStore;
  let tenantId: number;

  const ingest = (stream: string, receivedAt: string, ids: string[], extra: object = {}) =>
    ingestEmbeddings(
      database,
      {
        tenantId,
        stream,
        model,
        items: ids.map((id, i) => ({
          id,
          ts: `2026-09-30T23:59:${String(i).padStart(2, "0")}.123456Z`,
          embedding: [0.1 + i, -2.5, 1 / 3],
          ...extra,
        })),
      },
      new Date(receivedAt),
    );
  const clientIds = async (stream: string) =>
    (
      await queryRows<{ id: string }>(
        database.db,
        sql`SELECT e.client_id AS id FROM embeddings e JOIN streams s ON s.id = e.stream_id
            WHERE s.name = ${stream} ORDER BY e.seq`,
      )
    ).map((r) => r.id);

  beforeAll(async () => {
    opened = await openMigratedTestDatabase(driver, "archive");
    database = opened.database;
    tenantId = await ensureTenant(database.db, "acme");
    dir = await mkdtemp(join(tmpdir(), "facedrift-archive-"));
    store = new LocalArchiveStore(dir);
    await ingest("lobby", "2026-10-01T08:00:00Z", ["a", "b"], { device: "cam-1", metadata: { q: 0.5 } });
    await ingest("lobby", "2026-10-02T09:30:00Z", ["c"]);
    await ingest("lobby", "2026-11-25T10:00:00Z", ["recent"]);
    await ingest("gate", "2026-10-02T10:00:00Z", ["g1"]);
    // gate keeps 90 days: its October day is not due yet.
    await database.db.execute(sql`UPDATE streams SET settings = '{"retentionDays": 90}' WHERE name = 'gate'`);
  }, 60_000);
  afterAll(async () => {
    await opened.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("plans without touching anything on a dry run", async () => {
    const report = await archiveExpired(database, { store, now: NOW, retentionDays: 30, dryRun: true });
    expect(report.days.map((d) => [d.stream, d.day, d.rows, d.status])).toEqual([
      ["lobby", "2026-10-01", 2, "planned"],
      ["lobby", "2026-10-02", 1, "planned"],
    ]);
    expect(await clientIds("lobby")).toEqual(["a", "b", "c", "recent"]);
    await expect(stat(join(dir, "1"))).rejects.toThrow();
  }, 30_000);

  it("writes verified Parquet per stream and day, records it, then deletes the rows", async () => {
    const report = await archiveExpired(database, { store, now: NOW, retentionDays: 30, chunkRows: 1 });
    expect(report.days.map((d) => [d.stream, d.day, d.rows, d.status])).toEqual([
      ["lobby", "2026-10-01", 2, "archived"],
      ["lobby", "2026-10-02", 1, "archived"],
    ]);
    expect(report.deletedRows).toBe(3);
    // Emptied old days go, including the ones pre-created ahead of October 1st; October 2nd
    // still holds gate's row.
    expect(report.droppedPartitions).toContain("embeddings_p20261001");
    expect(report.droppedPartitions).toContain("embeddings_p20261003");
    expect(report.droppedPartitions).not.toContain("embeddings_p20261002");
    expect(await clientIds("lobby")).toEqual(["recent"]);
    expect(await clientIds("gate")).toEqual(["g1"]);

    const streamId = report.days[0]!.streamId;
    const path = join(dir, String(streamId), "2026-10-01.parquet");
    const bytes = await readFile(path);
    const records = await queryRows<{
      day: string;
      location: string;
      rows: number;
      bytes: number;
      sha256: string;
    }>(
      database.db,
      sql`SELECT day::text AS day, location, rows, bytes::int AS bytes, sha256 FROM embedding_archives ORDER BY day`,
    );
    expect(records[0]).toEqual({
      day: "2026-10-01",
      location: `file://${path}`,
      rows: 2,
      bytes: bytes.byteLength,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    });

    // Read back with hyparquet, independently of the writer.
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const rows = await parquetReadObjects({ file: buffer });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      client_id: "a",
      model_id: "m",
      model_version: "1",
      source: "api",
      device: "cam-1",
    });
    expect(JSON.parse(rows[0]!.metadata as string)).toEqual({ q: 0.5 });
    expect(rows.find((r) => r.client_id === "b")?.device).toBe("cam-1");
    expect(rows.map((r) => r.client_id)).toEqual(["a", "b"]);
    expect(Number(rows[1]!.seq)).toBeGreaterThan(Number(rows[0]!.seq));
    expect((rows[0]!.received_at as Date).toISOString()).toBe("2026-10-01T08:00:00.000Z");
    expect((rows[1]!.event_time as Date).toISOString()).toBe("2026-09-30T23:59:01.123Z");
    expect(rows[1]!.embedding).toEqual(Array.from(Float32Array.of(1.1, -2.5, 1 / 3)));

    // The ledger forgot the archived ids; the stream's count followed.
    const again = await ingest("lobby", "2026-11-26T00:00:00Z", ["a"]);
    expect(again.accepted).toBe(1);
    const [lobby] = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT embedding_count::int AS n FROM streams WHERE name = 'lobby'`,
    );
    expect(lobby?.n).toBe(2);
  }, 30_000);

  it("is a no-op when run again", async () => {
    const path = join(
      dir,
      String(
        (
          await queryRows<{ id: number }>(
            database.db,
            sql`SELECT id::int AS id FROM streams WHERE name = 'lobby'`,
          )
        )[0]!.id,
      ),
      "2026-10-01.parquet",
    );
    const before = await stat(path);
    const report = await archiveExpired(database, { store, now: NOW, retentionDays: 30 });
    expect(report).toEqual({ days: [], deletedRows: 0, droppedPartitions: [] });
    expect((await stat(path)).mtimeMs).toBe(before.mtimeMs);
  }, 30_000);

  it("archives everything before --before regardless of retention", async () => {
    const report = await archiveExpired(database, {
      store,
      now: NOW,
      before: new Date("2026-10-03T00:00:00Z"),
    });
    expect(report.days.map((d) => [d.stream, d.day, d.status])).toEqual([["gate", "2026-10-02", "archived"]]);
    expect(report.droppedPartitions).toEqual(["embeddings_p20261002"]);
    expect(await clientIds("gate")).toEqual([]);
  }, 30_000);
});
