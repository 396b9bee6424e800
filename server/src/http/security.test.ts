import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp } from "./test-app.ts";

let t: Awaited<ReturnType<typeof createTestApp>>;
let key: string;

beforeAll(async () => {
  t = await createTestApp({ corsOrigins: ["https://dash.example"], rateLimitPerMinute: 5 });
  key = await t.keyFor("sec", ["read"]);
}, 60_000);
afterAll(() => t.close());

describe("browser-facing protections", () => {
  it("sends a CSP that allows WASM and workers but nothing cross-origin", async () => {
    const res = await t.app.request("/healthz");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers CORS only for configured origins", async () => {
    const preflight = (origin: string) =>
      t.app.request("/v1/streams", {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "GET" },
      });
    expect((await preflight("https://dash.example")).headers.get("access-control-allow-origin")).toBe(
      "https://dash.example",
    );
    expect((await preflight("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("limits requests per credential, with Retry-After, without affecting other keys", async () => {
    const other = await t.keyFor("sec", ["read"]);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await t.call("GET", "/v1/streams", { key })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await t.app.request("/v1/streams", { headers: { authorization: `Bearer ${key}` } });
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await t.call("GET", "/v1/streams", { key: other })).status).toBe(200);
  });
});
