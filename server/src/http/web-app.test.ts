import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import { createTestApp } from "./test-app.ts";

let t: Awaited<ReturnType<typeof createTestApp>>;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), "facedrift-web-"));
  mkdirSync(join(root, "_app/immutable"), { recursive: true });
  writeFileSync(join(root, "index.html"), "<!doctype html><title>home</title>");
  writeFileSync(join(root, "capture.html"), "<!doctype html><title>capture</title>");
  writeFileSync(join(root, "200.html"), "<!doctype html><title>app</title>");
  writeFileSync(join(root, "_app/immutable/entry.abc123.js"), "export {};");
  writeFileSync(join(root, "ort.wasm"), Buffer.from([0, 97, 115, 109]));
  t = await createTestApp();
  app = createApp({ database: t.database, config: t.config, webRoot: root });
}, 60_000);
afterAll(() => t.close());

const get = async (path: string) => {
  const res = await app.request(path);
  return { res, text: await res.text() };
};

describe("the web app on the API's origin", () => {
  it("serves prerendered pages by path and the SPA fallback for app routes", async () => {
    expect((await get("/")).text).toContain("home");
    expect((await get("/capture")).text).toContain("capture");
    const deep = await get("/streams/lobby?from=1");
    expect(deep.res.status).toBe(200);
    expect(deep.text).toContain("app");
    // A stream named with a dot: a browser navigating there gets the app, a script gets a 404.
    const page = await app.request("/streams/cam.1", { headers: { accept: "text/html,*/*;q=0.8" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("app");
    expect((await app.request("/streams/cam.1")).status).toBe(404);
    expect((await app.request("/_app/missing.js", { headers: { accept: "*/*" } })).status).toBe(404);
  });

  it("caches hashed assets forever and revalidates the rest; WASM has its MIME type", async () => {
    expect((await get("/_app/immutable/entry.abc123.js")).res.headers.get("cache-control")).toContain(
      "immutable",
    );
    expect((await get("/capture")).res.headers.get("cache-control")).toBe("no-cache");
    expect((await get("/ort.wasm")).res.headers.get("content-type")).toBe("application/wasm");
  });

  it("leaves HTML's CSP to the page's hashed <meta> policy and keeps the header on everything else", async () => {
    const page = await get("/capture");
    expect(page.res.headers.get("content-security-policy")).toBeNull();
    expect(page.res.headers.get("x-frame-options")).toBe("DENY");
    const js = await get("/_app/immutable/entry.abc123.js");
    expect(js.res.headers.get("content-security-policy")).toContain("'wasm-unsafe-eval'");
  });

  it("never answers API paths with the app", async () => {
    const missing = await get("/v1/no-such-route");
    expect(missing.res.status).toBe(404);
    expect(JSON.parse(missing.text)).toMatchObject({ error: { code: "not_found" } });
    expect((await get("/missing.js")).res.status).toBe(404);
  });
});
