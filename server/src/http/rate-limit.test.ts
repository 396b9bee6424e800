import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTenant } from "../services/tenants/default.ts";
import { createUser } from "../services/users/create.ts";
import { RequestBudget } from "./rate-limit.ts";
import { createTestApp, fromPeer } from "./test-app.ts";

describe("RequestBudget", () => {
  it("counts a minute per key and says how long to wait", () => {
    const budget = new RequestBudget(2);
    expect([budget.take("k", 0), budget.take("k", 1), budget.take("k", 2)]).toEqual([0, 0, 59_998]);
    expect(budget.take("k", 60_000)).toBe(0);
  });

  it("cannot be flushed: 10,002 new keys leave a spent key spent, and the table bounded", () => {
    const budget = new RequestBudget(3, 1000);
    for (let i = 0; i < 4; i++) budget.take("key:1", 10);
    expect(budget.waitFor("key:1", 11)).toBeGreaterThan(0);
    for (let i = 0; i < 10_002; i++) budget.take(`bogus-${i}`, 12);
    expect(budget.size).toBeLessThanOrEqual(1000);
    expect(budget.take("key:1", 13)).toBeGreaterThan(0);
    // The newcomers beyond the table share one budget meanwhile, and expired windows make room.
    expect(budget.take("newcomer", 14)).toBeGreaterThan(0);
    expect(budget.take("newcomer", 60_020)).toBe(0);
  });
});

describe("request budgets over HTTP", () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let key: string;
  let cookie: string;
  const password = "correct horse battery staple";

  beforeAll(async () => {
    t = await createTestApp({ rateLimitPerMinute: 5, anonymousRateLimitPerMinute: 4 });
    key = await t.keyFor("acme", ["read"]);
    const tenantId = await ensureTenant(t.db, "acme");
    await createUser(t.db, { tenantId, email: "ops@example.com", password });
    const login = await t.app.request(
      "/v1/session",
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "ops@example.com", password }),
      },
      fromPeer("10.0.0.50"),
    );
    cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
  }, 60_000);
  afterAll(() => t.close());

  const get = async (headers: Record<string, string>, peer = "10.0.0.1") =>
    (await t.app.request("/v1/streams", { headers }, fromPeer(peer))).status;

  it("one key has one budget however its header is spelled", async () => {
    const spellings = [
      `Bearer ${key}`,
      `bearer ${key}`,
      `BEARER ${key}`,
      `Bearer\t${key}`,
      `Bearer   ${key}  `,
    ];
    for (const authorization of spellings) expect(await get({ authorization })).toBe(200);
    expect(await get({ authorization: `bearer ${key}` })).toBe(429);
    expect(await get({ authorization: `Bearer ${key}` }, "10.0.0.99")).toBe(429);
  });

  it("one dashboard user has one budget however the cookie header is dressed up", async () => {
    const dressed = [cookie, `${cookie}; other=1`, `x=1; ${cookie}`, ` ${cookie}`, `${cookie};`];
    for (const c of dressed) expect(await get({ cookie: c })).toBe(200);
    expect(await get({ cookie: `y=2; ${cookie}` })).toBe(429);
  });

  it("requests without a credential are budgeted per address", async () => {
    for (let i = 0; i < 4; i++) expect(await get({}, "192.0.2.10")).toBe(401);
    expect(await get({}, "192.0.2.10")).toBe(429);
    expect(await get({}, "192.0.2.11")).toBe(401);
  });

  it("refused credentials spend the address's budget; valid ones from that address still work", async () => {
    const valid = await t.keyFor("acme", ["read"]);
    for (let i = 0; i < 4; i++)
      expect(await get({ authorization: `Bearer guess-${i}` }, "192.0.2.20")).toBe(401);
    expect(await get({ authorization: "Bearer guess-5" }, "192.0.2.20")).toBe(429);
    expect(await get({ cookie: "fd_session=guess" }, "192.0.2.20")).toBe(429);
    // A device with a valid key behind the same address (a NAT) is not the guesser.
    expect(await get({ authorization: `Bearer ${valid}` }, "192.0.2.20")).toBe(200);
  });

  it("IPv6 clients are budgeted per /64", async () => {
    for (let i = 0; i < 4; i++) expect(await get({}, `2001:db8:1:2::${i + 1}`)).toBe(401);
    expect(await get({}, "2001:db8:1:2:ffff::9")).toBe(429);
    expect(await get({}, "2001:db8:1:3::1")).toBe(401);
  });
});
