import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { WebPushConfig } from "../config.ts";
import { DeliveryError } from "../delivery-error.ts";
import { setPushEgressPolicy } from "../egress.ts";
import type { PushSubscription, PushSubscriptionStore, VapidKeyStore, VapidKeys } from "../store.ts";
import { sampleNotification } from "../testing/alert.ts";
import { type Peer, reply, startPeer } from "../testing/peer.ts";
import { decryptAes128gcm, type UserAgentKeys, userAgentKeys, verifyVapid } from "../testing/push-crypto.ts";
import { addSubscription, deliver, ensureVapidKeys } from "./index.ts";

/** Array-backed stores, the simplest implementations of the interfaces. */
class ArrayVapidKeys implements VapidKeyStore {
  rows: VapidKeys[] = [];
  async get() {
    return this.rows[0];
  }
  async insertIfAbsent(keys: VapidKeys) {
    if (this.rows.length === 0) this.rows.push(keys);
    return this.rows[0]!;
  }
}

class ArraySubscriptions implements PushSubscriptionStore {
  rows: { tenantId: number; subscription: PushSubscription }[] = [];
  async add(tenantId: number, subscription: PushSubscription) {
    await this.remove(tenantId, subscription.endpoint);
    this.rows.push({ tenantId, subscription });
  }
  async remove(tenantId: number, endpoint: string) {
    const before = this.rows.length;
    this.rows = this.rows.filter((r) => !(r.tenantId === tenantId && r.subscription.endpoint === endpoint));
    return this.rows.length < before;
  }
  async list(tenantId: number) {
    return this.rows.filter((r) => r.tenantId === tenantId).map((r) => r.subscription);
  }
}

const config: WebPushConfig = { type: "webpush", subject: "mailto:ops@facedrift.example", ttlSeconds: 3600 };
let peer: Peer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

/** A push service whose answer depends on the path: `/gone-*` → 410, `/broken-*` → 500, else 201. */
function pushService(): Promise<Peer> {
  return startPeer((request, res) => {
    if (request.path.startsWith("/gone")) return reply(res, 410, "subscription expired");
    if (request.path.startsWith("/broken")) return reply(res, 500, "unavailable");
    reply(res, 201, "", { Location: `/messages/${request.path.slice(1)}` });
  });
}

async function subscribe(
  store: ArraySubscriptions,
  tenantId: number,
  endpoint: string,
): Promise<UserAgentKeys> {
  const keys = userAgentKeys();
  await addSubscription(store, tenantId, {
    endpoint,
    expirationTime: null,
    keys: { p256dh: keys.p256dh, auth: keys.auth },
  });
  return keys;
}

// The push service here is a local http peer standing in for a browser vendor's; the default
// policy (https on public addresses) would refuse it, as the last test shows.
beforeAll(() => setPushEgressPolicy("private"));
afterAll(() => setPushEgressPolicy("public"));

describe("webpush channel", () => {
  it("under the default policy, refuses an http or loopback endpoint without reaching it", async () => {
    peer = await pushService();
    const subscriptions = new ArraySubscriptions();
    await subscribe(subscriptions, 7, `${peer.url}/phone`);
    setPushEgressPolicy("public");
    try {
      const error = await deliver(sampleNotification(), config, {
        subscriptions,
        vapidKeys: new ArrayVapidKeys(),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as Error).message).toMatch(/endpoint refused: must be an https URL/);
      expect(peer.requests).toHaveLength(0);
    } finally {
      setPushEgressPolicy("private");
    }
  });

  it("generates the VAPID key pair once and keeps it", async () => {
    const store = new ArrayVapidKeys();
    const first = await ensureVapidKeys(store);
    expect(Buffer.from(first.publicKey, "base64url")).toHaveLength(65);
    expect(Buffer.from(first.privateKey, "base64url")).toHaveLength(32);
    expect(await ensureVapidKeys(store)).toEqual(first);
    expect(store.rows).toHaveLength(1);
  });

  it("sends an RFC 8291 aes128gcm payload, signed with VAPID, that the subscriber can decrypt", async () => {
    peer = await pushService();
    const vapidKeys = new ArrayVapidKeys();
    const subscriptions = new ArraySubscriptions();
    const phone = await subscribe(subscriptions, 7, `${peer.url}/phone`);
    const laptop = await subscribe(subscriptions, 7, `${peer.url}/laptop`);
    await subscribe(subscriptions, 8, `${peer.url}/other-tenant`);
    const notification = sampleNotification();

    const receipt = await deliver(notification, config, { subscriptions, vapidKeys });
    expect(receipt.detail).toBe("2 delivered, 0 gone (removed), 0 failed");
    expect(peer.requests.map((r) => r.path).sort()).toEqual(["/laptop", "/phone"]);

    const stored = vapidKeys.rows[0]!;
    for (const request of peer.requests) {
      expect(request.headers["content-encoding"]).toBe("aes128gcm");
      expect(request.headers.ttl).toBe("3600");
      expect(request.headers.urgency).toBe("high");
      expect(request.headers.topic).toMatch(/^[A-Za-z0-9_-]{32}$/);

      const { claims, publicKey } = verifyVapid(request.headers.authorization);
      expect(publicKey).toBe(stored.publicKey);
      expect(claims.aud).toBe(peer.url); // the push service's origin
      expect(claims.sub).toBe("mailto:ops@facedrift.example");
      const now = Date.now() / 1000;
      expect(claims.exp).toBeGreaterThan(now);
      expect(claims.exp).toBeLessThanOrEqual(now + 24 * 3600);

      const keys = request.path === "/phone" ? phone : laptop;
      expect(JSON.parse(decryptAes128gcm(request.body, keys))).toEqual({
        title: `Incident #12 opened (CRITICAL): ${notification.incident.title}`,
        body: expect.stringContaining("lobby-cam <east> · 3 findings · PC1 mean 0.0125 → 0.3311"),
        url: notification.dashboardUrl,
        incidentId: 12,
        transition: "opened",
        alertId: 42,
        severity: "critical",
      });
      // Someone else's keys cannot read it.
      expect(() => decryptAes128gcm(request.body, userAgentKeys())).toThrow();
    }
  });

  it("keeps one topic per incident, and a resolve does not wake the phone", async () => {
    peer = await pushService();
    const subscriptions = new ArraySubscriptions();
    await subscribe(subscriptions, 7, `${peer.url}/phone`);
    const vapidKeys = new ArrayVapidKeys();
    await deliver(sampleNotification(), config, { subscriptions, vapidKeys });
    await deliver(sampleNotification({ transition: "resolved" }), config, { subscriptions, vapidKeys });
    await deliver(sampleNotification({ incident: { id: 13 } }), config, { subscriptions, vapidKeys });
    const [opened, resolved, other] = peer.requests;
    expect(resolved?.headers.topic).toBe(opened?.headers.topic);
    expect(other?.headers.topic).not.toBe(opened?.headers.topic);
    expect(resolved?.headers.urgency).toBe("low");
  });

  it("removes a subscription the push service reports gone (410) and still succeeds", async () => {
    peer = await pushService();
    const subscriptions = new ArraySubscriptions();
    await subscribe(subscriptions, 7, `${peer.url}/gone-1`);
    await subscribe(subscriptions, 7, `${peer.url}/ok-1`);
    const receipt = await deliver(sampleNotification(), config, {
      subscriptions,
      vapidKeys: new ArrayVapidKeys(),
    });
    expect(receipt.detail).toBe("1 delivered, 1 gone (removed), 0 failed");
    expect((await subscriptions.list(7)).map((s) => s.endpoint)).toEqual([`${peer.url}/ok-1`]);
  });

  it("a 500 is retryable, and the retry reaches only the subscription that failed", async () => {
    peer = await pushService();
    const subscriptions = new ArraySubscriptions();
    await subscribe(subscriptions, 7, `${peer.url}/ok-1`);
    await subscribe(subscriptions, 7, `${peer.url}/broken-1`);
    const vapidKeys = new ArrayVapidKeys();
    const sent = new Set<string>();
    const error = await deliver(sampleNotification(), config, { subscriptions, vapidKeys, sent }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable: true, httpStatus: 500 });
    expect(sent).toEqual(new Set([`${peer.url}/ok-1`]));

    await deliver(sampleNotification(), config, { subscriptions, vapidKeys, sent }).catch(() => {});
    expect(peer.requests.map((r) => r.path)).toEqual(
      expect.arrayContaining(["/ok-1", "/broken-1", "/broken-1"]),
    );
    expect(peer.requests.filter((r) => r.path === "/ok-1")).toHaveLength(1);
  });

  it("rejects a malformed subscription, naming the field", async () => {
    const subscriptions = new ArraySubscriptions();
    await expect(
      addSubscription(subscriptions, 7, {
        endpoint: "https://push.example/x",
        keys: { p256dh: "short", auth: "x" },
      }),
    ).rejects.toThrow(/p256dh/);
    expect(subscriptions.rows).toHaveLength(0);
  });
});
