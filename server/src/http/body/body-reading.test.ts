/**
 * When and how much of a body the server reads (issue 14, items 1 and 2). Each body is a lazily
 * generated stream that counts what the server pulled from it, so "read nothing" and "stopped
 * early" are measured in bytes, not in time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp } from "../test-app.ts";

let t: Awaited<ReturnType<typeof createTestApp>>;
let ingest: string;

beforeAll(async () => {
  t = await createTestApp({
    maxBodyBytes: 1024 * 1024,
    maxUploadFiles: 100,
    maxUploadBytes: 8 * 1024 * 1024,
  });
  ingest = await t.keyFor("acme", ["ingest"]);
}, 60_000);
afterAll(() => t.close());

/** A body of `total` bytes made of `chunk` repeated, produced only as it is pulled. */
function countedBody(chunk: Uint8Array, total: number) {
  const pulled = { bytes: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pulled.bytes >= total) return controller.close();
        pulled.bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled };
}

const MiB = 1024 * 1024;
const zeros = new Uint8Array(64 * 1024).fill(0x20);

async function send(path: string, body: ReadableStream<Uint8Array>, headers: Record<string, string>) {
  const res = await t.app.request(path, { method: "POST", body, headers, duplex: "half" } as RequestInit);
  return { status: res.status, body: await res.json() };
}

describe("bodies are read only after authentication", () => {
  it("an unauthenticated 17 MiB chunked JSON POST gets 401, and not a byte is read", async () => {
    const { stream, pulled } = countedBody(zeros, 17 * MiB);
    const res = await send("/v1/streams/cam/embeddings", stream, { "content-type": "application/json" });
    expect(res.status).toBe(401);
    expect(pulled.bytes).toBe(0);
  });

  it("the same with a wrong key, and on the multipart route", async () => {
    const json = countedBody(zeros, 17 * MiB);
    const bad = await send("/v1/streams/cam/embeddings", json.stream, {
      "content-type": "application/json",
      authorization: "Bearer not-a-key",
    });
    expect(bad.status).toBe(401);
    expect(json.pulled.bytes).toBe(0);
    const form = countedBody(zeros, 17 * MiB);
    const upload = await send("/v1/streams/cam/images", form.stream, {
      "content-type": "multipart/form-data; boundary=x",
    });
    expect(upload.status).toBe(401);
    expect(form.pulled.bytes).toBe(0);
  });

  it("an announced length over the limit is refused before reading", async () => {
    const { stream, pulled } = countedBody(zeros, 2 * MiB);
    const res = await send("/v1/streams/cam/embeddings", stream, {
      "content-type": "application/json",
      "content-length": String(2 * MiB),
      authorization: `Bearer ${ingest}`,
    });
    expect(res.status).toBe(413);
    expect(pulled.bytes).toBe(0);
  });

  it("an authenticated chunked body is read only up to the limit", async () => {
    const { stream, pulled } = countedBody(zeros, 16 * MiB);
    const res = await send("/v1/streams/cam/embeddings", stream, {
      "content-type": "application/json",
      authorization: `Bearer ${ingest}`,
    });
    expect(res.status).toBe(413);
    expect(pulled.bytes).toBeLessThanOrEqual(MiB + zeros.byteLength);
  });
});

describe("multipart is parsed as it arrives", () => {
  const boundary = "b0undary";
  const emptyFilePart = new TextEncoder().encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.jpg"\r\n` +
      "Content-Type: image/jpeg\r\n\r\n\r\n",
  );

  it("a million empty file parts end at the 101st, after a small part of the body", async () => {
    // 1,000,000 parts of ~100 bytes: about 100 MB if it were all read (the limit is 8 MiB).
    const parts = new Uint8Array(emptyFilePart.byteLength * 64);
    for (let i = 0; i < 64; i++) parts.set(emptyFilePart, i * emptyFilePart.byteLength);
    const { stream, pulled } = countedBody(parts, emptyFilePart.byteLength * 1_000_000);
    const res = await send("/v1/streams/cam/images", stream, {
      "content-type": `multipart/form-data; boundary=${boundary}`,
      authorization: `Bearer ${ingest}`,
    });
    expect(res.status).toBe(413);
    expect(res.body.error.message).toMatch(/at most 100 files/);
    expect(pulled.bytes).toBeLessThan(200 * emptyFilePart.byteLength);
  });

  const upload = (disposition: string) => {
    const text = `--${boundary}\r\nContent-Disposition: form-data; name="files"; ${disposition}\r\n\r\nxx\r\n--${boundary}--\r\n`;
    const bytes = new TextEncoder().encode(text);
    return send("/v1/streams/cam/images", countedBody(bytes, bytes.byteLength).stream, {
      "content-type": `multipart/form-data; boundary=${boundary}`,
      authorization: `Bearer ${ingest}`,
    });
  };

  it("a NUL in a file name is a 400 naming the file", async () => {
    const res = await upload(`filename*=utf-8''a%00b.jpg`);
    expect(res).toMatchObject({ status: 400, body: { error: { field: "files[0]" } } });
  });

  it("a file name over 255 characters is a 400 naming the file", async () => {
    const res = await upload(`filename="${"n".repeat(256)}.jpg"`);
    expect(res).toMatchObject({ status: 400, body: { error: { field: "files[0]" } } });
  });

  it("a truncated body is a 400, not a hang", async () => {
    const bytes = new TextEncoder().encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="a"\r\n\r\nxx`,
    );
    const res = await send("/v1/streams/cam/images", countedBody(bytes, bytes.byteLength).stream, {
      "content-type": `multipart/form-data; boundary=${boundary}`,
      authorization: `Bearer ${ingest}`,
    });
    expect(res.status).toBe(400);
  });
});
