/**
 * Privacy erasure reaching every copy, on one driver: the stream's rows, a reference version fitted
 * on them (stored vectors, MMD and KS samples, marked for a refit) and an archived day (rewritten
 * without the subject; checked here by reading the files independently). Run on PGlite
 * and on the real PostgreSQL with pgvector, from `erasure.test.ts`.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seededRng } from "@facedrift/stats";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/database.ts";
import { queryRows } from "../../db/database.ts";
import { archiveExpired } from "../../retention/archive.ts";
import { ArchiveKeyRing } from "../../retention/archive-keys.ts";
import { listArchiveRecords } from "../../retention/archive-object.ts";
import { openArchive } from "../../retention/envelope.ts";
import { LocalArchiveStore } from "../../retention/local-store.ts";
import { readArchiveFile } from "../../retention/parquet.ts";
import { fitReference } from "../references/fit.ts";
import { ensureTenant } from "../tenants/default.ts";
import { deleteEmbeddings } from "./delete.ts";
import { ingestEmbeddings } from "./ingest.ts";

export interface OpenedDatabase {
  database: Database;
  close(): Promise<void>;
}

const DIM = 8;
const PER_DAY = 150;
const DEVICES = 5;

export function describeErasureEverywhere(driver: string, open: () => Promise<OpenedDatabase>): void {
  describe(`privacy erasure reaches references and archives (${driver})`, () => {
    let opened: OpenedDatabase;
    let database: Database;
    let tenantId: number;
    let dir: string;
    let store: LocalArchiveStore;
    const keys = new ArchiveKeyRing([{ id: "k1", key: randomBytes(32) }], undefined, "test");
    /** Every ingested vector by client id, as float32 bytes. */
    const vectors = new Map<string, Float32Array>();
    const deviceOf = (i: number) => `dev-${i % DEVICES}`;

    const archivedRows = async (day: string) => {
      const [record] = await listArchiveRecords(database.db, {
        tenantId,
        stream: "door",
        from: day,
        to: day,
      });
      const files = await readdir(join(dir, String(record!.streamId)));
      // Only the current object is left: the one it replaced was deleted.
      expect(files).toEqual([record!.objectKey.split("/")[1]]);
      const { plaintext } = openArchive(await store.get(record!.objectKey), keys);
      return { record: record!, rows: (await readArchiveFile(plaintext)).rows };
    };
    const profileOf = async () => {
      const [row] = await queryRows<{
        profile: { mmd: { sample: number[]; sampleSize: number }; ksSample: { rows: number } };
        erasure: unknown;
        stored: number;
      }>(
        database.db,
        sql`SELECT s.profile, s.erasure, (SELECT count(*)::int FROM reference_embeddings r WHERE r.reference_set_id = s.id) AS stored
            FROM reference_sets s`,
      );
      return row!;
    };
    const sampleRowsOf = (sample: number[], device: string) => {
      const keysOf = new Set(
        [...vectors]
          .filter(([id]) => id.endsWith(`@${device}`))
          .map(([, v]) => Buffer.from(v.buffer).toString("base64")),
      );
      let n = 0;
      for (let r = 0; r < sample.length / DIM; r++) {
        if (
          keysOf.has(
            Buffer.from(Float32Array.from(sample.slice(r * DIM, r * DIM + DIM)).buffer).toString("base64"),
          )
        )
          n++;
      }
      return n;
    };

    beforeAll(async () => {
      opened = await open();
      database = opened.database;
      tenantId = await ensureTenant(database.db, "acme");
      dir = await mkdtemp(join(tmpdir(), "facedrift-erasure-"));
      store = new LocalArchiveStore(dir);
      const rng = seededRng(7);
      for (const [d, day] of ["2026-10-01", "2026-10-02"].entries()) {
        const items = Array.from({ length: PER_DAY }, (_, i) => {
          const n = d * PER_DAY + i;
          const embedding = Float32Array.from({ length: DIM }, () => rng() * 2 - 1);
          const id = `e${n}@${deviceOf(n)}`;
          vectors.set(id, embedding);
          return {
            id,
            ts: Date.parse(`${day}T09:00:00Z`) + i,
            embedding: Array.from(embedding),
            device: deviceOf(n),
            metadata: { person: `p${n % 7}` },
          };
        });
        await ingestEmbeddings(
          database,
          { tenantId, stream: "door", model: { id: "m", version: "1" }, items },
          new Date(`${day}T10:00:00Z`),
        );
      }
      await fitReference(database, {
        tenantId,
        stream: "door",
        source: { last: 2 * PER_DAY },
        options: { components: 4, mmdSampleSize: 100, knnQueries: 50 },
      });
      const archived = await archiveExpired(database, {
        store,
        keys,
        before: new Date("2026-10-02T00:00:00Z"),
      });
      expect(archived.days.map((d) => [d.day, d.rows, d.status])).toEqual([
        ["2026-10-01", PER_DAY, "archived"],
      ]);
    }, 180_000);
    afterAll(async () => {
      await opened?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it("a device's erasure removes it from the database, the archived day and the reference version", async () => {
      const before = await profileOf();
      expect(before.stored).toBe(2 * PER_DAY);
      expect(before.profile.ksSample.rows).toBe(2 * PER_DAY);
      const mmdOfDevice = sampleRowsOf(before.profile.mmd.sample, "dev-3");
      expect(mmdOfDevice).toBeGreaterThan(0);

      const result = await deleteEmbeddings(database.db, {
        tenantId,
        stream: "door",
        actor: "key:1",
        criterion: { device: "dev-3" },
        archives: { store, keys: () => keys },
      });
      const perDay = PER_DAY / DEVICES;
      expect(result.deleted).toBe(perDay);
      expect(result.archived).toEqual({
        daysScanned: 1,
        days: [{ day: "2026-10-01", removed: perDay, remaining: PER_DAY - perDay }],
        rows: perDay,
      });
      expect(result.references).toEqual([
        {
          version: 1,
          storedVectorsRemoved: 2 * perDay,
          mmdSampleRowsRemoved: mmdOfDevice,
          ksSampleRowsRemoved: 2 * perDay,
        },
      ]);

      // The database: no row of the device is left.
      const [left] = await queryRows<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM embeddings WHERE device = 'dev-3'`,
      );
      expect(left?.n).toBe(0);
      // The archive, read from the file with the key: every other row, none of the device's.
      const { record, rows } = await archivedRows("2026-10-01");
      expect(rows).toHaveLength(PER_DAY - perDay);
      expect(rows.some((r) => r.device === "dev-3")).toBe(false);
      expect(rows.filter((r) => r.device === "dev-1")).toHaveLength(perDay);
      expect(record).toMatchObject({ rows: PER_DAY - perDay, erasedRows: perDay, keyId: "k1" });
      // The reference version: none of the device's vectors in its stored rows or samples; marked.
      const after = await profileOf();
      expect(after.stored).toBe(2 * PER_DAY - 2 * perDay);
      expect(sampleRowsOf(after.profile.mmd.sample, "dev-3")).toBe(0);
      expect(after.profile.mmd.sampleSize).toBe(100 - mmdOfDevice);
      expect(after.profile.ksSample.rows).toBe(2 * PER_DAY - 2 * perDay);
      expect(after.erasure).toMatchObject({
        changes: 2,
        refitRecommended: true,
        storedVectorsRemoved: 2 * perDay,
      });
      const [stored] = await queryRows<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM reference_embeddings r
            WHERE r.embedding = ANY(${`{${[...vectors]
              .filter(([id]) => id.endsWith("@dev-3"))
              .map(([, v]) => `"[${Array.from(v).join(",")}]"`)
              .join(",")}}`}::vector[])`,
      );
      expect(stored?.n).toBe(0);

      // Audited twice (database, then archives), with a hash of the device, never the device.
      const audit = await queryRows<{ action: string; details: Record<string, unknown> }>(
        database.db,
        sql`SELECT action, details FROM audit_log WHERE action LIKE 'embeddings.delete%' ORDER BY id`,
      );
      expect(audit.map((a) => a.action)).toEqual(["embeddings.delete", "embeddings.delete_archived"]);
      expect(audit[1]?.details).toMatchObject({ rows: perDay, verified: true, criterion: "device" });
      expect(JSON.stringify(audit)).not.toContain("dev-3");
    });

    it("a metadata erasure reaches the archive too, and repeating a request changes nothing", async () => {
      const result = await deleteEmbeddings(database.db, {
        tenantId,
        stream: "door",
        actor: "cli",
        criterion: { metadataKey: "person", metadataValue: "p2" },
        archives: { store, keys: () => keys },
      });
      const { rows } = await archivedRows("2026-10-01");
      expect(rows.some((r) => JSON.parse(r.metadata ?? "{}").person === "p2")).toBe(false);
      expect(result.archived.rows).toBeGreaterThan(0);
      expect(rows).toHaveLength(PER_DAY - PER_DAY / DEVICES - result.archived.rows);

      const again = await deleteEmbeddings(database.db, {
        tenantId,
        stream: "door",
        actor: "cli",
        criterion: { metadataKey: "person", metadataValue: "p2" },
        archives: { store, keys: () => keys },
      });
      expect(again).toEqual({ deleted: 0, archived: { daysScanned: 1, days: [], rows: 0 }, references: [] });
    });

    it("without the archive key the database part is done and the error says to repeat", async () => {
      const other = new ArchiveKeyRing([{ id: "k2", key: randomBytes(32) }], undefined, "test");
      const failed = deleteEmbeddings(database.db, {
        tenantId,
        stream: "door",
        actor: "cli",
        criterion: { device: "dev-4" },
        archives: { store, keys: () => other },
      });
      await expect(failed).rejects.toMatchObject({
        code: "unavailable",
        message: expect.stringMatching(/repeat the request/),
      });
      const [left] = await queryRows<{ n: number }>(
        database.db,
        sql`SELECT count(*)::int AS n FROM embeddings WHERE device = 'dev-4'`,
      );
      expect(left?.n).toBe(0);
      const finished = await deleteEmbeddings(database.db, {
        tenantId,
        stream: "door",
        actor: "cli",
        criterion: { device: "dev-4" },
        archives: { store, keys: () => keys },
      });
      expect(finished.archived.rows).toBeGreaterThan(0);
      expect((await archivedRows("2026-10-01")).rows.some((r) => r.device === "dev-4")).toBe(false);
    });
  });
}
