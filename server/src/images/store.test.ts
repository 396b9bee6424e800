import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Peer, reply, startPeer } from "../alerts/testing/peer.ts";
import { LocalImageStore } from "./local-store.ts";
import { S3ImageStore } from "./s3-store.ts";
import type { ImageStore } from "./store.ts";

/**
 * One contract, two stores: the local directory, and S3 against a stand-in S3-compatible peer
 * (path-style PUT, GET and DELETE on a local HTTP server keeping objects in memory; it proves the
 * requests the SDK sends and the round trip, not AWS's behaviour — no real S3 is reachable here).
 */
describe("image stores", () => {
  let dir: string;
  let peer: Peer;
  const objects = new Map<string, Buffer>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "facedrift-image-store-"));
    peer = await startPeer((request, response) => {
      const path = decodeURIComponent(request.path.split("?")[0] ?? "");
      const body = objects.get(path);
      if (request.method === "PUT") {
        objects.set(path, request.body);
        reply(response, 200, "", { ETag: `"${createHash("md5").update(request.body).digest("hex")}"` });
      } else if (request.method === "DELETE") {
        objects.delete(path);
        reply(response, 204, "");
      } else if (request.method === "GET" && body) {
        response.writeHead(200, { "Content-Length": String(body.length), "Content-Type": "image/png" });
        response.end(body);
      } else {
        reply(response, 404, "<Error><Code>NoSuchKey</Code></Error>", { "Content-Type": "application/xml" });
      }
    });
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await peer.close();
  });

  const stores: Array<[string, () => ImageStore]> = [
    ["local", () => new LocalImageStore(dir)],
    [
      "S3",
      () =>
        new S3ImageStore({
          bucket: "images",
          prefix: "facedrift/",
          endpoint: peer.url,
          region: "eu-west-1",
          credentials: { accessKeyId: "test", secretAccessKey: "test-secret" },
        }),
    ],
  ];

  it.each(stores)(
    "%s: puts, gets and deletes; deleting a missing object is fine",
    async (_, open) => {
      const store = open();
      const bytes = Uint8Array.from([137, 80, 78, 71, 1, 2, 3]);
      await store.put("1/abc/0", bytes, "image/png");
      expect(await store.get("1/abc/0")).toEqual(bytes);
      await store.delete("1/abc/0");
      await expect(store.get("1/abc/0")).rejects.toThrow();
      await store.delete("1/abc/0");
    },
    30_000,
  );

  it("S3 keys sit under the prefix, path-style", async () => {
    await stores[1]?.[1]().put("2/x/0", Uint8Array.from([1]), "image/jpeg");
    expect([...objects.keys()]).toContain("/images/facedrift/2/x/0");
    const put = peer.requests.filter((r) => r.method === "PUT").at(-1);
    expect(put?.headers["content-type"]).toBe("image/jpeg");
  });

  it("local: a key cannot climb out of the directory", async () => {
    await expect(
      new LocalImageStore(dir).put("../escape", Uint8Array.from([1]), "image/png"),
    ).rejects.toThrow(/bad image key/);
  });
});
