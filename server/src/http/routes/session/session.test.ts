import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoginLimiter } from "../../../auth/login-limiter.ts";
import { queryRows } from "../../../db/database.ts";
import { ensureTenant } from "../../../services/tenants/default.ts";
import { createUser } from "../../../services/users/create.ts";
import { createTestApp, fromPeer } from "../../test-app.ts";

let t: Awaited<ReturnType<typeof createTestApp>>;
const password = "correct horse battery staple";

beforeAll(async () => {
  t = await createTestApp();
  const tenantId = await ensureTenant(t.db, "dash");
  await createUser(t.db, { tenantId, email: "Ops@Example.com", password });
}, 60_000);
afterAll(() => t.close());

const login = (email: string, pass: string, ip = "10.0.0.1", forwardedFor?: string, app = t.app) =>
  app.request(
    "/v1/session",
    {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor }),
      },
      body: JSON.stringify({ email, password: pass }),
    },
    fromPeer(ip),
  );
const cookieOf = (res: Response) => (res.headers.get("set-cookie") ?? "").split(";")[0] as string;

describe("dashboard sessions", () => {
  it("logs in with a hardened cookie and works as the tenant's admin", async () => {
    const res = await login("ops@example.com", password);
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^fd_session=/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const cookie = cookieOf(res);

    const me = await t.app.request("/v1/session", { headers: { cookie } });
    expect(await me.json()).toMatchObject({ user: { email: "ops@example.com" }, csrfToken });
    expect((await t.app.request("/v1/streams", { headers: { cookie } })).status).toBe(200);

    const create = (headers: Record<string, string>) =>
      t.app.request("/v1/api-keys", {
        method: "POST",
        headers: { cookie, "content-type": "application/json", ...headers },
        body: JSON.stringify({ name: "from dashboard", scopes: ["read"] }),
      });
    const forged = await create({});
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: { message: string } }).error.message).toMatch(/X-CSRF-Token/);
    expect((await create({ "x-csrf-token": "wrong" })).status).toBe(403);
    expect((await create({ "x-csrf-token": csrfToken })).status).toBe(201);
    // The audit trail names the person, not a key.
    const [audit] = await queryRows<{ actor: string }>(
      t.db,
      sql`SELECT actor FROM audit_log WHERE action LIKE 'api_key%' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit?.actor).toMatch(/^user:\d+$/);

    const out = await t.app.request("/v1/session", { method: "DELETE", headers: { cookie } });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/fd_session=;/);
    expect((await t.app.request("/v1/streams", { headers: { cookie } })).status).toBe(401);
  });

  it("does not say whether the e-mail or the password was wrong", async () => {
    const unknown = await login("nobody@example.com", password, "10.0.0.2");
    const wrong = await login("ops@example.com", "not the password", "10.0.0.3");
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    expect(await unknown.json()).toEqual(await wrong.json());
  });

  it("throttles repeated failures from one address, with Retry-After", async () => {
    for (let i = 0; i < 10; i++)
      expect((await login(`x${i}@example.com`, "guess", "10.9.9.9")).status).toBe(401);
    const blocked = await login("ops@example.com", password, "10.9.9.9");
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await login("ops@example.com", password, "10.0.0.4")).status).toBe(200);
  });

  it("keys on the TCP peer: X-Forwarded-For from an untrusted peer changes nothing", async () => {
    for (let i = 0; i < 10; i++) {
      const res = await login(`spoof${i}@example.com`, "guess", "10.7.7.7", `198.51.100.${i}`);
      expect(res.status).toBe(401);
    }
    expect((await login("ops@example.com", password, "10.7.7.7", "198.51.100.99")).status).toBe(429);
    // Anyone else, with or without the header, is unaffected: there is no shared bucket.
    expect((await login("ops@example.com", password, "10.7.7.8")).status).toBe(200);
  });

  it("behind a trusted proxy, the client is the first untrusted hop from the right", async () => {
    const proxied = await createTestApp({ trustedProxies: ["10.1.0.0/16"] });
    try {
      const tenantId = await ensureTenant(proxied.db, "dash");
      await createUser(proxied.db, { tenantId, email: "ops@example.com", password });
      const viaProxy = (email: string, chain: string) =>
        Promise.resolve(login(email, "guess", "10.1.0.5", chain, proxied.app)).then((r) => r.status);
      // The client put a fake hop first; the proxy appended the real one.
      for (let i = 0; i < 10; i++)
        expect(await viaProxy(`g${i}@example.com`, `1.2.3.${i}, 203.0.113.7`)).toBe(401);
      expect(await viaProxy("ops@example.com", "203.0.113.7")).toBe(429);
      expect(await viaProxy("ops@example.com", "203.0.113.8")).toBe(401);
      // Straight from the proxy's own address, with no header, is the proxy itself.
      expect((await login("ops@example.com", password, "10.1.0.5", undefined, proxied.app)).status).toBe(200);
    } finally {
      await proxied.close();
    }
  });

  it("limits failures per account across addresses, without locking out other accounts", async () => {
    for (let i = 0; i < 30; i++) {
      expect((await login("ops@example.com", "guess", `172.16.0.${i}`)).status).toBe(401);
    }
    expect((await login("ops@example.com", password, "172.16.1.1")).status).toBe(429);
    expect((await login("other@example.com", "guess", "172.16.1.1")).status).toBe(401);
  });

  it("rejects weak passwords and duplicate users, naming the field", async () => {
    const tenantId = await ensureTenant(t.db, "dash");
    await expect(createUser(t.db, { tenantId, email: "a@b.c", password: "short" })).rejects.toMatchObject({
      code: "invalid_request",
      field: "password",
    });
    await expect(createUser(t.db, { tenantId, email: "OPS@example.com", password })).rejects.toMatchObject({
      code: "conflict",
    });
  });
});

describe("LoginLimiter", () => {
  it("stays bounded under a flood of made-up accounts, and the flood cannot clear a count", () => {
    const limiter = new LoginLimiter({ perAddress: 3, perAccount: 3, maxKeys: 100 });
    for (let i = 0; i < 3; i++) limiter.fail("victim-guesser", "victim", 1000);
    expect(limiter.retryAfter("victim-guesser", "victim", 1001)).toBeGreaterThan(0);
    for (let i = 0; i < 10_002; i++) limiter.fail(`a${i}`, `flood${i}@example.com`, 1002);
    expect(limiter.size).toBeLessThanOrEqual(101);
    expect(limiter.retryAfter("elsewhere", "victim", 1003)).toBeGreaterThan(0);
  });
});
