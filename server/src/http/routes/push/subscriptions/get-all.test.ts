import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp } from "../../../test-app.ts";

const subscription = (endpoint: string) => ({
  endpoint,
  expirationTime: null,
  keys: { p256dh: `B${"A".repeat(86)}`, auth: "A".repeat(22) },
});

describe("GET /v1/push/subscriptions", () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let read: string;
  let admin: string;
  let other: string;
  beforeAll(async () => {
    t = await createTestApp();
    read = await t.keyFor("acme", ["read"]);
    admin = await t.keyFor("acme", ["admin"]);
    other = await t.keyFor("globex", ["admin"]);
  }, 60_000);
  afterAll(() => t.close());

  it("lists the tenant's subscribed browsers by endpoint and push service, never their keys", async () => {
    for (const endpoint of [
      "https://fcm.googleapis.com/fcm/send/abc",
      "https://updates.push.services.mozilla.com/wpush/v2/x",
    ]) {
      expect(
        (await t.call("POST", "/v1/push/subscriptions", { key: admin, json: subscription(endpoint) })).status,
      ).toBe(201);
    }
    await t.call("POST", "/v1/push/subscriptions", {
      key: other,
      json: subscription("https://fcm.googleapis.com/fcm/send/zzz"),
    });
    const res = await t.call("GET", "/v1/push/subscriptions", { key: read });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        endpoint: "https://fcm.googleapis.com/fcm/send/abc",
        service: "fcm.googleapis.com",
        createdAt: expect.any(String),
      },
      {
        endpoint: "https://updates.push.services.mozilla.com/wpush/v2/x",
        service: "updates.push.services.mozilla.com",
        createdAt: expect.any(String),
      },
    ]);
    expect(JSON.stringify(res.body)).not.toContain("AAAAAAAAAAAAAAAAAAAAAA");
    await t.call("DELETE", "/v1/push/subscriptions", {
      key: read,
      json: { endpoint: "https://fcm.googleapis.com/fcm/send/abc" },
    });
    expect((await t.call("GET", "/v1/push/subscriptions", { key: read })).body.items).toHaveLength(1);
    expect((await t.call("GET", "/v1/push/subscriptions")).status).toBe(401);
  });

  it("adding one needs more than a read key, and an https endpoint on a public address", async () => {
    const before = (await t.call("GET", "/v1/push/subscriptions", { key: read })).body.items.length;
    const byReader = await t.call("POST", "/v1/push/subscriptions", {
      key: read,
      json: subscription("https://fcm.googleapis.com/fcm/send/reader"),
    });
    expect(byReader.status).toBe(403);
    for (const endpoint of [
      "http://fcm.googleapis.com/fcm/send/plain",
      "https://127.0.0.1:8443/push",
      "https://2852039166/latest/meta-data",
      "https://[::ffff:a9fe:a9fe]/x",
      "https://192.0.2.7/push",
    ]) {
      const res = await t.call("POST", "/v1/push/subscriptions", {
        key: admin,
        json: subscription(endpoint),
      });
      expect([endpoint, res.status, res.body.error?.field]).toEqual([endpoint, 400, "endpoint"]);
    }
    expect((await t.call("GET", "/v1/push/subscriptions", { key: read })).body.items).toHaveLength(before);
  });
});
