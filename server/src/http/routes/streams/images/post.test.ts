import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../../../db/database.ts";
import { createTestApp } from "../../../test-app.ts";

const root = join(import.meta.dirname, "..", "..", "..", "..", "..", "..");
const FACES = join(root, "..", "shared", "data", "faces", "images");
const jpeg = readFileSync(join(FACES, "Amelie_Mauresmo", "Amelie_Mauresmo_0001.jpg"));

/** Every file under `dir`, recursively (the image store's objects). */
const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => entry.name)
    : [];

describe("POST /v1/streams/{stream}/images and GET /v1/image-jobs/{id}", () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let imageDir: string;
  let ingest: string;
  let read: string;
  let png: Buffer;
  let webp: Buffer;

  beforeAll(async () => {
    imageDir = mkdtempSync(join(tmpdir(), "facedrift-images-"));
    t = await createTestApp({
      imageDir,
      maxUploadFiles: 3,
      maxUploadFileBytes: 200_000,
      maxUploadBytes: 500_000,
      maxImagePixels: 100_000,
    });
    ingest = await t.keyFor("acme", ["ingest"]);
    read = await t.keyFor("acme", ["read"]);
    png = await sharp(jpeg).png().toBuffer();
    webp = await sharp(jpeg).webp().toBuffer();
  }, 60_000);
  afterAll(async () => {
    await t.close();
    rmSync(imageDir, { recursive: true, force: true });
  });

  const upload = async (files: Array<[string, Uint8Array]>, key = ingest, stream = "lobby") => {
    const form = new FormData();
    for (const [name, bytes] of files) form.append("files", new Blob([new Uint8Array(bytes)]), name);
    const res = await t.app.request(`/v1/streams/${stream}/images`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: form,
    });
    return { status: res.status, body: await res.json() };
  };
  const count = async (table: string) =>
    Number((await queryRows<{ n: number }>(t.db, sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]?.n);

  it("stores JPEG, PNG and WebP files as one queued job", async () => {
    const res = await upload([
      ["a.jpg", jpeg],
      ["b.png", png],
      ["c.webp", webp],
    ]);
    expect(res.status).toBe(202);
    expect(res.body.files.map((f: { mediaType: string }) => f.mediaType)).toEqual([
      "image/jpeg",
      "image/png",
      "image/webp",
    ]);
    expect(res.body.files[0]).toMatchObject({ width: 250, height: 250, bytes: jpeg.length });
    expect(filesUnder(imageDir)).toHaveLength(3);
    const job = await t.call("GET", res.body.job.url, { key: read });
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({
      stream: "lobby",
      status: "queued",
      progress: { total: 3, done: 0, pending: 3 },
      files: [{ filename: "a.jpg", status: "pending", reason: null }, {}, {}],
    });
    // No replica runs in this test app: the job says it waits for one, and how to start one.
    expect(job.body.waiting).toMatch(/^waiting for a replica: none has taken this job in \d+ s\./);
    expect(job.body.waiting).toContain("facedrift replica");
    expect(await count("jobs WHERE kind = 'image-batch' AND status = 'queued'")).toBe(1);
    // Another tenant cannot see it.
    const other = await t.call("GET", res.body.job.url, { key: await t.keyFor("globex", ["read"]) });
    expect(other.status).toBe(404);
  });

  const rejected: Array<[string, () => Array<[string, Uint8Array]>, number, string, string]> = [
    ["an empty batch", () => [], 400, "invalid_request", "files"],
    [
      "a truncated (corrupt) JPEG",
      () => [
        ["ok.jpg", jpeg],
        ["cut.jpg", jpeg.subarray(0, jpeg.length / 2)],
      ],
      400,
      "invalid_request",
      "files[1]",
    ],
    [
      "a non-image",
      () => [["notes.jpg", Buffer.from("just some text, named like a photo")]],
      415,
      "unsupported_media_type",
      "files[0]",
    ],
    [
      "a GIF",
      () => [["x.gif", Buffer.from("GIF89a\x01\x00\x01\x00\x00\x00\x00;", "latin1")]],
      415,
      "unsupported_media_type",
      "files[0]",
    ],
    ["an empty file", () => [["empty.png", new Uint8Array()]], 400, "invalid_request", "files[0]"],
    [
      "a file over the size limit",
      () => [["huge.jpg", new Uint8Array(200_001)]],
      413,
      "payload_too_large",
      "files[0]",
    ],
    [
      "too many files",
      () => [1, 2, 3, 4].map((i) => [`${i}.jpg`, jpeg] as [string, Uint8Array]),
      413,
      "payload_too_large",
      "files",
    ],
    [
      "an upload over the body limit",
      () => [1, 2, 3].map((i) => [`${i}.bin`, new Uint8Array(190_000)] as [string, Uint8Array]),
      413,
      "payload_too_large",
      "files",
    ],
  ];

  it.each(rejected)(
    "rejects %s, naming the field, and leaves nothing behind",
    async (_, files, status, code, field) => {
      const before = {
        objects: filesUnder(imageDir).length,
        batches: await count("image_batches"),
        jobs: await count("jobs"),
      };
      const res = await upload(files());
      expect(res.status).toBe(status);
      expect(res.body.error).toMatchObject({ code, field });
      expect(filesUnder(imageDir).length).toBe(before.objects);
      expect(await count("image_batches")).toBe(before.batches);
      expect(await count("jobs")).toBe(before.jobs);
    },
  );

  it("rejects a body that is not multipart, and an image over the pixel limit (a small file can decode to gigabytes)", async () => {
    const json = await t.call("POST", "/v1/streams/lobby/images", { key: ingest, json: { files: [] } });
    expect(json.status).toBe(415);
    const bomb = await sharp({
      create: { width: 1_000, height: 1_000, channels: 3, background: "#808080" },
    })
      .png({ compressionLevel: 9 })
      .toBuffer();
    const res = await upload([["bomb.png", bomb]]);
    expect(res).toMatchObject({ status: 413, body: { error: { field: "files[0]" } } });
  }, 60_000);

  it("rejects an unknown faces policy or an unexpected part, naming it", async () => {
    for (const [part, value, field] of [
      ["faces", "all", "faces"],
      ["colour", "red", "colour"],
    ] as const) {
      const form = new FormData();
      form.append(part, value);
      form.append("files", new Blob([new Uint8Array(jpeg)]), "a.jpg");
      const res = await t.app.request("/v1/streams/lobby/images", {
        method: "POST",
        headers: { authorization: `Bearer ${ingest}` },
        body: form,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { field: string } }).error.field).toBe(field);
    }
  });

  it("is described in the OpenAPI document as multipart", async () => {
    const doc = await t.call("GET", "/openapi.json");
    const post = doc.body.paths["/v1/streams/{stream}/images"].post;
    expect(Object.keys(post.requestBody.content)).toEqual(["multipart/form-data"]);
    expect(doc.body.paths["/v1/image-jobs/{id}"].get.responses["200"]).toBeDefined();
  });

  it("refuses at once an upload to a stream of another model (409 naming the stream's model), storing nothing", async () => {
    // The README's first example makes lobby-cam a 3-D stream of another model.
    const vectors = await t.call("POST", "/v1/streams/lobby-cam/embeddings", {
      key: ingest,
      json: {
        model: { id: "faceplugin-fr", version: "1" },
        items: [{ id: "a", ts: Date.now(), embedding: [0.1, 0.2, 0.3] }],
      },
    });
    expect(vectors.status).toBe(200);
    const before = { objects: filesUnder(imageDir).length, batches: await count("image_batches") };
    const res = await upload([["a.jpg", jpeg]], ingest, "lobby-cam");
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "conflict", field: "stream" });
    expect(res.body.error.message).toMatch(
      /^stream "lobby-cam" holds faceplugin-fr@1 embeddings \(3-D\), but uploaded images are embedded with faceapi-recognition128@1\.7\.15 \(128-D\)/,
    );
    expect(filesUnder(imageDir).length).toBe(before.objects);
    expect(await count("image_batches")).toBe(before.batches);
  });

  it("needs the ingest scope to upload", async () => {
    expect((await upload([["a.jpg", jpeg]], read)).status).toBe(403);
  });
});
