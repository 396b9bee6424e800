import { createHash, randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Peer, reply, startPeer } from "../alerts/testing/peer.ts";
import type { Database } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { openPglite } from "../db/pglite.ts";
import { ingestEmbeddings } from "../services/embeddings/ingest.ts";
import { ensureTenant } from "../services/tenants/default.ts";
import { archiveExpired } from "./archive.ts";
import { ArchiveKeyRing } from "./archive-keys.ts";
import { openArchive } from "./envelope.ts";
import { summarizeArchiveFile } from "./parquet.ts";
import { S3ArchiveStore } from "./s3-store.ts";

/**
 * Against a stand-in S3-compatible peer (path-style PUT and GET on a local HTTP server that
 * keeps objects in memory and ignores signatures): proves the requests the SDK sends and the
 * round trip, not AWS's behaviour. No real S3 or MinIO is reachable from the test machines.
 */
describe("S3ArchiveStore (stand-in S3-compatible peer)", () => {
  let peer: Peer;
  const objects = new Map<string, Buffer>();
  const keys = new ArchiveKeyRing([{ id: "k1", key: randomBytes(32) }], undefined, "test");
  let database: Database;

  beforeAll(async () => {
    peer = await startPeer((request, response) => {
      const path = decodeURIComponent(request.path.split("?")[0] ?? "");
      if (request.method === "PUT") {
        objects.set(path, request.body);
        reply(response, 200, "", { ETag: `"${createHash("md5").update(request.body).digest("hex")}"` });
      } else if (request.method === "DELETE") {
        objects.delete(path);
        reply(response, 204);
      } else if (request.method === "GET" && objects.has(path)) {
        const body = objects.get(path)!;
        response.writeHead(200, {
          "Content-Length": String(body.length),
          "Content-Type": "application/octet-stream",
        });
        response.end(body);
      } else {
        reply(response, 404, "<Error><Code>NoSuchKey</Code></Error>", { "Content-Type": "application/xml" });
      }
    });
    database = await openPglite();
    await migrateDatabase(database);
  }, 60_000);
  afterAll(async () => {
    await database.close();
    await peer.close();
  });

  const store = () =>
    new S3ArchiveStore({
      bucket: "archive",
      prefix: "facedrift/",
      endpoint: peer.url,
      region: "eu-west-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test-secret" },
      serverSideEncryption: { type: "aws:kms", kmsKeyId: "arn:aws:kms:eu-west-1:111122223333:key/facedrift" },
    });

  it("puts and gets objects path-style under the prefix", async () => {
    const s3 = store();
    const bytes = Uint8Array.from([1, 2, 3, 250]);
    await s3.put("7/2026-10-01.parquet", bytes);
    expect([...objects.keys()]).toContain("/archive/facedrift/7/2026-10-01.parquet");
    const put = peer.requests.find((r) => r.method === "PUT")!;
    expect(String(put.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=test\//);
    // S3's own encryption at rest is asked for on every PUT, and the headers are signed.
    expect(put.headers["x-amz-server-side-encryption"]).toBe("aws:kms");
    expect(put.headers["x-amz-server-side-encryption-aws-kms-key-id"]).toBe(
      "arn:aws:kms:eu-west-1:111122223333:key/facedrift",
    );
    expect(String(put.headers.authorization)).toContain("x-amz-server-side-encryption");
    expect(await s3.get("7/2026-10-01.parquet")).toEqual(bytes);
    expect(s3.location("7/2026-10-01.parquet")).toBe("s3://archive/facedrift/7/2026-10-01.parquet");
    await expect(s3.get("missing.parquet")).rejects.toThrow();
  }, 30_000);

  it("archives a day to the bucket and verifies it before deleting", async () => {
    const tenantId = await ensureTenant(database.db, "acme");
    const items = ["a", "b", "c"].map((id, i) => ({ id, ts: 1_790_000_000_001, embedding: [i, 1] }));
    await ingestEmbeddings(
      database,
      { tenantId, stream: "lobby", model: { id: "m", version: "1" }, items },
      new Date("2026-10-01T10:00:00Z"),
    );
    const report = await archiveExpired(database, {
      store: store(),
      keys,
      before: new Date("2026-10-02T00:00:00Z"),
    });
    expect(report.days.map((d) => [d.day, d.rows, d.status])).toEqual([["2026-10-01", 3, "archived"]]);
    expect(report.days[0]?.location).toMatch(
      /^s3:\/\/archive\/facedrift\/1\/2026-10-01\.[0-9a-f]{12}\.parquet\.enc$/,
    );
    const object = objects.get(`/archive/${report.days[0]!.location.slice("s3://archive/".length)}`)!;
    const { plaintext } = openArchive(new Uint8Array(object), keys);
    expect(await summarizeArchiveFile(plaintext)).toMatchObject({ rows: 3, ordered: true });
    const [recorded] = await queryRows<{ sha256: string }>(
      database.db,
      sql`SELECT sha256 FROM embedding_archives`,
    );
    expect(recorded?.sha256).toBe(createHash("sha256").update(object).digest("hex"));
    const [left] = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM embeddings`,
    );
    expect(left?.n).toBe(0);
  }, 30_000);

  it("keeps the rows when the store returns something else", async () => {
    const tenantId = await ensureTenant(database.db, "acme");
    await ingestEmbeddings(
      database,
      {
        tenantId,
        stream: "gate",
        model: { id: "m", version: "1" },
        items: [{ id: "g", ts: 1_790_000_000_001, embedding: [1, 1] }],
      },
      new Date("2026-10-01T11:00:00Z"),
    );
    const lying = store();
    lying.get = async () => Uint8Array.from([0]);
    const objectsBefore = objects.size;
    await expect(
      archiveExpired(database, { store: lying, keys, before: new Date("2026-10-02T00:00:00Z") }),
    ).rejects.toThrow(/SHA-256/);
    // The object that failed its check is deleted again.
    expect(objects.size).toBe(objectsBefore);
    const [left] = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM embeddings`,
    );
    expect(left?.n).toBe(1);
    const [records] = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM embedding_archives`,
    );
    expect(records?.n).toBe(1);
  }, 30_000);
});
