import { describe, expect, it } from "vitest";
import { encodeEmbedding, type SendRequest, sendBatch } from "./ingest.ts";

const request: SendRequest = {
  apiBase: "https://fd.example",
  apiKey: "fd_key",
  stream: "lobby",
  model: { id: "faceplugin-feature512", version: "0.0.1" },
  items: [],
};

const answer =
  (status: number, body: unknown): typeof fetch =>
  async () =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("encodeEmbedding", () => {
  it("writes little-endian float32 in base64, as the server decodes it", () => {
    const vector = Float32Array.of(1, -0.5, 0.25);
    const bytes = Buffer.from(encodeEmbedding(vector), "base64");
    expect([0, 4, 8].map((offset) => bytes.readFloatLE(offset))).toEqual([1, -0.5, 0.25]);
  });
});

describe("sendBatch", () => {
  it("posts the batch with the bearer key to the stream's endpoint", async () => {
    let seen: { url: string; init: RequestInit } | undefined;
    const fetcher: typeof fetch = async (url, init) => {
      seen = { url: String(url), init: init ?? {} };
      return new Response(JSON.stringify({ accepted: 2, duplicates: 1, lastSeq: 9 }), { status: 200 });
    };
    expect(await sendBatch(request, fetcher)).toEqual({ kind: "stored", accepted: 2, duplicates: 1 });
    expect(seen?.url).toBe("https://fd.example/v1/streams/lobby/embeddings");
    expect(new Headers(seen?.init.headers).get("authorization")).toBe("Bearer fd_key");
    expect(JSON.parse(String(seen?.init.body))).toEqual({ model: request.model, items: [] });
  });

  it("drops only an item the server names in a 400", async () => {
    const result = await sendBatch(
      request,
      answer(400, { error: { code: "invalid_request", message: "bad", item: 3 } }),
    );
    expect(result).toEqual({ kind: "rejected-item", item: 3, message: "HTTP 400: bad" });
  });

  it("retries on auth errors, conflicts, server errors, network errors and a missing key", async () => {
    for (const status of [401, 403, 409, 500, 502, 503]) {
      const result = await sendBatch(request, answer(status, { error: { message: "no" } }));
      expect(result).toEqual({ kind: "retry", message: `HTTP ${status}: no` });
    }
    const offline: typeof fetch = async () => {
      throw new TypeError("Failed to fetch");
    };
    expect(await sendBatch(request, offline)).toEqual({ kind: "retry", message: "network: Failed to fetch" });
    expect((await sendBatch({ ...request, apiKey: "" }, offline)).kind).toBe("retry");
  });
});
