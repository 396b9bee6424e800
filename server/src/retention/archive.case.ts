/**
 * The archive's lifecycle on one driver: sealed files per stream-day, unreadable without the key,
 * readable after a key rotation, re-wrapped, verified, restored and erased from. Run on PGlite
 * and on the real PostgreSQL with pgvector, from `archive.test.ts`.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { parquetReadObjects } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { ingestEmbeddings } from "../services/embeddings/ingest.ts";
import { createReferenceSet } from "../services/reference-sets/create.ts";
import { ensureTenant } from "../services/tenants/default.ts";
import { archiveExpired } from "./archive.ts";
import { ArchiveKeyRing } from "./archive-keys.ts";
import { listArchiveRecords, openRecord } from "./archive-object.ts";
import type { ArchiveStore } from "./archive-store.ts";
import { ArchiveCryptoError, openArchive, peekArchive } from "./envelope.ts";
import { LocalArchiveStore } from "./local-store.ts";
import { rekeyArchives } from "./rekey.ts";
import { restoreDay } from "./restore.ts";
import { verifyArchives } from "./verify.ts";

export interface OpenedDatabase {
  database: Database;
  close(): Promise<void>;
}

const NOW = new Date("2026-11-26T12:00:00Z");
const model = { id: "m", version: "1" };
const kek = (id: string) => ({ id, key: randomBytes(32) });

export function describeArchiveLifecycle(driver: string, open: () => Promise<OpenedDatabase>): void {
  describe(`sealed archives (${driver}, local store)`, () => {
    let opened: OpenedDatabase;
    let database: Database;
    let dir: string;
    let store: LocalArchiveStore;
    let tenantId: number;
    const oldKey = kek("archive-2026-01");
    const newKey = kek("archive-2026-12");
    const oldRing = new ArchiveKeyRing([oldKey], undefined, "test");
    const rotated = new ArchiveKeyRing([newKey, oldKey], undefined, "test");
    const newOnly = new ArchiveKeyRing([newKey], undefined, "test");

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
    const files = async () =>
      (await readdir(dir, { recursive: true }))
        .filter((f) => f.endsWith(".enc") || f.endsWith(".parquet"))
        .sort();

    beforeAll(async () => {
      opened = await open();
      database = opened.database;
      tenantId = await ensureTenant(database.db, "acme");
      dir = await mkdtemp(join(tmpdir(), "facedrift-archive-"));
      store = new LocalArchiveStore(dir);
      await ingest("lobby", "2026-10-01T08:00:00.654Z", ["a", "b"], {
        device: "cam-secret-device",
        metadata: { q: 0.5 },
      });
      // Ingestion keeps milliseconds; PostgreSQL keeps microseconds, and so must the archive.
      await database.db.execute(
        sql`UPDATE embeddings SET received_at = received_at + interval '321 microseconds',
              event_time = event_time + interval '456 microseconds'`,
      );
      await ingest("lobby", "2026-10-02T09:30:00Z", ["c"]);
      await ingest("lobby", "2026-11-25T10:00:00Z", ["recent"]);
      await ingest("gate", "2026-10-02T10:00:00Z", ["g1"]);
      // gate keeps 90 days: its October day is not due yet.
      await database.db.execute(
        sql`UPDATE streams SET settings = '{"retentionDays": 90}' WHERE name = 'gate'`,
      );
    }, 120_000);
    afterAll(async () => {
      await opened?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it("plans without a key and without touching anything on a dry run", async () => {
      const report = await archiveExpired(database, {
        store,
        keys: null,
        now: NOW,
        retentionDays: 30,
        dryRun: true,
      });
      expect(report.days.map((d) => [d.stream, d.day, d.rows, d.status])).toEqual([
        ["lobby", "2026-10-01", 2, "planned"],
        ["lobby", "2026-10-02", 1, "planned"],
      ]);
      expect(await clientIds("lobby")).toEqual(["a", "b", "c", "recent"]);
      expect(await files()).toEqual([]);
    });

    it("without a key, refuses to write and keeps every row", async () => {
      await expect(
        archiveExpired(database, { store, keys: null, now: NOW, retentionDays: 30 }),
      ).rejects.toThrow(/FACEDRIFT_ARCHIVE_KEYS/);
      expect(await clientIds("lobby")).toEqual(["a", "b", "c", "recent"]);
    });

    it("seals each stream-day under the key: unreadable without it, exact with it", async () => {
      // Scores the streaming worker cached for every lobby row: derived data, they go with their rows.
      const [lobby] = await queryRows<{ id: number }>(
        database.db,
        sql`SELECT id::int AS id FROM streams WHERE name = 'lobby'`,
      );
      const reference = await createReferenceSet(database.db, {
        streamId: Number(lobby?.id),
        vectors: [[1, 0, 0]],
        activate: false,
      });
      await database.db.execute(
        sql`INSERT INTO embedding_scores (reference_set_id, seq, stream_id, scores)
            SELECT ${reference.id}, seq, stream_id, ARRAY[1.0] FROM embeddings WHERE stream_id = ${lobby?.id}`,
      );
      const report = await archiveExpired(database, {
        store,
        keys: oldRing,
        now: NOW,
        retentionDays: 30,
        chunkRows: 1,
      });
      expect(report.days.map((d) => [d.stream, d.day, d.rows, d.status])).toEqual([
        ["lobby", "2026-10-01", 2, "archived"],
        ["lobby", "2026-10-02", 1, "archived"],
      ]);
      expect(report.deletedRows).toBe(3);
      expect(await clientIds("lobby")).toEqual(["recent"]);
      expect(
        await queryRows(
          database.db,
          sql`SELECT e.client_id AS id FROM embedding_scores s JOIN embeddings e
                ON e.stream_id = s.stream_id AND e.seq = s.seq`,
        ),
      ).toEqual([{ id: "recent" }]);
      expect(
        await queryRows(
          database.db,
          sql`SELECT count(*)::int AS n FROM embedding_scores WHERE reference_set_id = ${reference.id}`,
        ),
      ).toEqual([{ n: 1 }]);

      const [record] = await listArchiveRecords(database.db, {
        tenantId,
        stream: "lobby",
        from: "2026-10-01",
        to: "2026-10-01",
      });
      expect(record).toMatchObject({ rows: 2, keyId: oldKey.id, erasedRows: 0, restoredUntil: null });
      expect(record?.lastSeq).toBe((record?.firstSeq ?? 0) + 1);
      const bytes = new Uint8Array(await readFile(join(dir, ...record!.objectKey.split("/"))));

      // Without the key: no Parquet, no identifiers, no vectors in the clear.
      const text = Buffer.from(bytes).toString("latin1");
      expect(text).not.toContain("PAR1");
      expect(text).not.toContain("cam-secret-device");
      expect(Buffer.from(bytes).includes(Buffer.from(Float32Array.of(-2.5).buffer))).toBe(false);
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      await expect(parquetReadObjects({ file: buffer })).rejects.toThrow();
      expect(() => openArchive(bytes, newOnly)).toThrow(/not in FACEDRIFT_ARCHIVE_KEYS/);
      const impostor = new ArchiveKeyRing([{ id: oldKey.id, key: randomBytes(32) }], undefined, "test");
      expect(() => openArchive(bytes, impostor)).toThrow(ArchiveCryptoError);

      // The authenticated metadata is readable without the key.
      expect(peekArchive(bytes).meta).toMatchObject({
        stream: "lobby",
        day: "2026-10-01",
        rows: 2,
        tenantId,
      });

      // With the key: every row as it was, to the microsecond.
      const { rows, meta } = await openRecord(store, oldRing, record!);
      expect(meta?.model).toBe("m@1");
      expect(rows.map((r) => r.clientId)).toEqual(["a", "b"]);
      expect(rows[0]).toMatchObject({
        device: "cam-secret-device",
        source: "api",
        modelId: "m",
        modelVersion: "1",
      });
      expect(JSON.parse(rows[0]!.metadata!)).toEqual({ q: 0.5 });
      // Inside is plain Parquet that other readers take as is (metadata as a JSON object).
      const { plaintext } = openArchive(bytes, oldRing);
      const inner = plaintext.buffer.slice(
        plaintext.byteOffset,
        plaintext.byteOffset + plaintext.byteLength,
      ) as ArrayBuffer;
      const independent = await parquetReadObjects({ file: inner });
      expect(independent.map((r) => [r.client_id, r.device, r.metadata])).toEqual([
        ["a", "cam-secret-device", { q: 0.5 }],
        ["b", "cam-secret-device", { q: 0.5 }],
      ]);
      expect(rows[0]!.receivedAtUs).toBe(BigInt(Date.parse("2026-10-01T08:00:00.654Z")) * 1000n + 321n);
      expect(rows[1]!.eventTimeUs).toBe(BigInt(Date.parse("2026-09-30T23:59:01.123Z")) * 1000n + 456n);
      expect(Array.from(rows[1]!.embedding)).toEqual(Array.from(Float32Array.of(1.1, -2.5, 1 / 3)));
    });

    it("is a no-op when run again, and verify passes every day", async () => {
      const before = await files();
      expect(await archiveExpired(database, { store, keys: oldRing, now: NOW, retentionDays: 30 })).toEqual({
        days: [],
        deletedRows: 0,
        droppedPartitions: [],
      });
      expect(await files()).toEqual(before);
      const verified = await verifyArchives(database.db, store, oldRing, { tenantId });
      expect(verified.map((v) => [v.day, v.ok, v.encrypted, v.keyId])).toEqual([
        ["2026-10-01", true, true, oldKey.id],
        ["2026-10-02", true, true, oldKey.id],
      ]);
    });

    it("verify names a tampered file", async () => {
      const [record] = await listArchiveRecords(database.db, {
        tenantId,
        stream: "lobby",
        from: "2026-10-02",
        to: "2026-10-02",
      });
      const original = await store.get(record!.objectKey);
      const tampered = Uint8Array.from(original);
      tampered[tampered.length - 40] = (tampered[tampered.length - 40] as number) ^ 1;
      await store.put(record!.objectKey, tampered);
      try {
        const [result] = await verifyArchives(database.db, store, oldRing, { tenantId, from: "2026-10-02" });
        expect(result).toMatchObject({ ok: false, problem: expect.stringMatching(/SHA-256/) });
      } finally {
        await store.put(record!.objectKey, original);
      }
    });

    it("after a key rotation old days stay readable, new days use the new key, rekey moves the rest", async () => {
      // Rotation: the new key is listed first (active), the old one kept.
      const report = await archiveExpired(database, {
        store,
        keys: rotated,
        now: NOW,
        before: new Date("2026-10-03T00:00:00Z"),
      });
      expect(report.days.map((d) => [d.stream, d.day, d.status])).toEqual([
        ["gate", "2026-10-02", "archived"],
      ]);
      const records = await listArchiveRecords(database.db, { tenantId });
      expect(records.map((r) => [r.stream, r.day, r.keyId])).toEqual([
        ["gate", "2026-10-02", newKey.id],
        ["lobby", "2026-10-01", oldKey.id],
        ["lobby", "2026-10-02", oldKey.id],
      ]);
      expect((await verifyArchives(database.db, store, rotated, { tenantId })).every((v) => v.ok)).toBe(true);
      // Dropping the old key too early: its days fail, naming the key.
      const early = await verifyArchives(database.db, store, newOnly, { tenantId, stream: "lobby" });
      expect(early.map((v) => v.ok)).toEqual([false, false]);
      expect(early[0]?.problem).toContain(oldKey.id);

      const lobbyBefore = await listArchiveRecords(database.db, { tenantId, stream: "lobby" });
      const metaBefore = await Promise.all(
        lobbyBefore.map(async (r) => peekArchive(await store.get(r.objectKey)).meta),
      );
      const rekeyed = await rekeyArchives(database.db, store, rotated, { tenantId });
      expect(rekeyed.map((r) => [r.stream, r.day, r.status])).toEqual([
        ["gate", "2026-10-02", "current"],
        ["lobby", "2026-10-01", "rewrapped"],
        ["lobby", "2026-10-02", "rewrapped"],
      ]);
      const lobbyAfter = await listArchiveRecords(database.db, { tenantId, stream: "lobby" });
      // The data and its metadata are the same bytes; only the wrapped key changed.
      expect(
        await Promise.all(lobbyAfter.map(async (r) => peekArchive(await store.get(r.objectKey)).meta)),
      ).toEqual(metaBefore);
      expect(lobbyAfter.map((r) => r.keyId)).toEqual([newKey.id, newKey.id]);
      // The replaced objects are gone; the old key is no longer needed.
      expect(await files()).toHaveLength(3);
      expect((await verifyArchives(database.db, store, newOnly, { tenantId })).map((v) => v.ok)).toEqual([
        true,
        true,
        true,
      ]);
    });

    it("restores a day exactly (same seqs and times), holds it from retention, then lets it go", async () => {
      const [record] = await listArchiveRecords(database.db, {
        tenantId,
        stream: "lobby",
        from: "2026-10-01",
        to: "2026-10-01",
      });
      const result = await restoreDay(database, store, newOnly, {
        tenantId,
        stream: "lobby",
        day: "2026-10-01",
        holdHours: 24,
        actor: "cli",
        now: NOW,
      });
      expect(result).toMatchObject({ restored: 2, skipped: 0, restoredUntil: "2026-11-27T12:00:00.000Z" });
      const back = await queryRows<{
        seq: number;
        id: string;
        received: string;
        event: string;
        device: string;
      }>(
        database.db,
        sql`SELECT e.seq::float8 AS seq, e.client_id AS id, e.device,
              to_char(e.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS received,
              to_char(e.event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS event
            FROM embeddings e JOIN streams s ON s.id = e.stream_id WHERE s.name = 'lobby' ORDER BY e.seq`,
      );
      expect(back.slice(0, 2)).toEqual([
        {
          seq: record!.firstSeq,
          id: "a",
          device: "cam-secret-device",
          received: "2026-10-01T08:00:00.654321",
          event: "2026-09-30T23:59:00.123456",
        },
        {
          seq: record!.lastSeq,
          id: "b",
          device: "cam-secret-device",
          received: "2026-10-01T08:00:00.654321",
          event: "2026-09-30T23:59:01.123456",
        },
      ]);
      // Restoring again adds nothing: the ids are in the ledger.
      expect(
        (
          await restoreDay(database, store, newOnly, {
            tenantId,
            stream: "lobby",
            day: "2026-10-01",
            actor: "cli",
            now: NOW,
          })
        ).skipped,
      ).toBe(2);
      const audit = await queryRows<{ action: string }>(
        database.db,
        sql`SELECT action FROM audit_log WHERE action = 'archive.restore'`,
      );
      expect(audit).toHaveLength(2);

      const held = await archiveExpired(database, { store, keys: newOnly, now: NOW, retentionDays: 30 });
      expect(held.days.map((d) => [d.day, d.status])).toEqual([["2026-10-01", "restored"]]);
      expect(await clientIds("lobby")).toEqual(["a", "b", "recent"]);
      const before = await files();
      const later = new Date("2026-11-28T00:00:00Z");
      const released = await archiveExpired(database, {
        store,
        keys: newOnly,
        now: later,
        retentionDays: 30,
      });
      expect(released.days.map((d) => [d.day, d.status])).toEqual([["2026-10-01", "already-archived"]]);
      expect(await clientIds("lobby")).toEqual(["recent"]);
      expect(await files()).toEqual(before);
    });

    it("puts a file of server-wide seqs back at the stream places migration 0015 reserved for it", async () => {
      // As 0015 leaves a file written before seqs counted per stream: its record's seq_offset
      // says where its rows belong; the seqs sealed in the file are not used.
      await database.db.execute(
        sql`UPDATE embedding_archives SET seq_offset = 40
            WHERE day = '2026-10-01' AND stream_id = (SELECT id FROM streams WHERE name = 'lobby' AND tenant_id = ${tenantId})`,
      );
      const result = await restoreDay(database, store, newOnly, {
        tenantId,
        stream: "lobby",
        day: "2026-10-01",
        actor: "cli",
        now: NOW,
      });
      expect(result).toMatchObject({ restored: 2, skipped: 0 });
      const back = await queryRows<{ seq: number; id: string }>(
        database.db,
        sql`SELECT e.seq::float8 AS seq, e.client_id AS id FROM embeddings e JOIN streams s ON s.id = e.stream_id
            WHERE s.name = 'lobby' AND e.client_id IN ('a', 'b') ORDER BY e.seq`,
      );
      expect(back).toEqual([
        { seq: 41, id: "a" },
        { seq: 42, id: "b" },
      ]);
      const released = await archiveExpired(database, {
        store,
        keys: newOnly,
        now: new Date("2026-11-28T00:00:00Z"),
        retentionDays: 30,
      });
      expect(released.days.map((d) => [d.day, d.status])).toEqual([["2026-10-01", "already-archived"]]);
      await database.db.execute(sql`UPDATE embedding_archives SET seq_offset = NULL`);
    });

    it("a day that changes while it is written is rolled back and written again next time", async () => {
      await ingest("hall", "2026-10-05T10:00:00Z", ["h1", "h2", "h3"]);
      // An erasure landing between reading the day and recording its archive.
      const racing: ArchiveStore = {
        location: (key) => store.location(key),
        get: (key) => store.get(key),
        delete: (key) => store.delete(key),
        put: async (key, bytes) => {
          await store.put(key, bytes);
          await database.db.execute(sql`DELETE FROM embeddings WHERE client_id = 'h2'`);
        },
      };
      const before = await files();
      const first = await archiveExpired(database, {
        store: racing,
        keys: newOnly,
        now: NOW,
        retentionDays: 30,
      });
      expect(first.days.map((d) => [d.stream, d.day, d.rows, d.status])).toEqual([
        ["hall", "2026-10-05", 3, "changed"],
      ]);
      expect(await files()).toEqual(before);
      expect(await clientIds("hall")).toEqual(["h1", "h3"]);
      const second = await archiveExpired(database, { store, keys: newOnly, now: NOW, retentionDays: 30 });
      expect(second.days.map((d) => [d.stream, d.rows, d.status])).toEqual([["hall", 2, "archived"]]);
    });
  });
}
