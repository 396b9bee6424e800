import { afterEach, describe, expect, it } from "vitest";
import type { ChannelConfig } from "./config.ts";
import { backoffDelay, dispatchNotification } from "./dispatcher.ts";
import type {
  AlertChannel,
  AlertChannelStore,
  AlertDeliveryLog,
  AlertStore,
  DeliveryAttempt,
  PushSubscriptionStore,
  VapidKeyStore,
} from "./store.ts";
import { sampleNotification } from "./testing/alert.ts";
import { type Peer, reply, startPeer } from "./testing/peer.ts";

/** Array-backed stores: just enough to observe what the dispatcher does. */
class ArrayStore implements AlertStore {
  log: DeliveryAttempt[] = [];
  channelRows: AlertChannel[] = [];
  channels: AlertChannelStore = {
    listEnabled: async (tenantId) => this.channelRows.filter((c) => c.tenantId === tenantId && c.enabled),
  };
  deliveries: AlertDeliveryLog = {
    record: async (attempt) => {
      this.log.push(attempt);
    },
  };
  vapidKeys: VapidKeyStore = {
    get: async () => undefined,
    insertIfAbsent: async (keys) => keys,
  };
  pushSubscriptions: PushSubscriptionStore = {
    add: async () => {},
    remove: async () => false,
    list: async () => [],
  };

  addChannel(id: number, config: ChannelConfig, enabled = true) {
    this.channelRows.push({ id, tenantId: 7, name: `${config.type}-${id}`, enabled, config });
  }
  attempts(channelId: number) {
    return this.log.filter((a) => a.channelId === channelId);
  }
}

const fast = { attempts: 3, baseDelayMs: 10, maxDelayMs: 40, timeoutMs: 500 };
const secret = "0123456789abcdef-secret";
const routingKey = "R0123456789abcdef0123456789abcde";
const peers: Peer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});
async function peer(handler: Parameters<typeof startPeer>[0]) {
  const started = await startPeer(handler);
  peers.push(started);
  return started;
}

describe("dispatchNotification", () => {
  it("delivers to each channel independently: a hang is cut by the timeout, a 500 is retried, neither delays the others", async () => {
    const hanging = await peer(() => {}); // accepts the request, never answers
    let slackCalls = 0;
    const flaky = await peer((_, res) =>
      ++slackCalls <= 2 ? reply(res, 500, "oops") : reply(res, 200, "ok"),
    );
    const healthy = await peer((_, res) => reply(res, 202, '{"status":"success"}'));

    const store = new ArrayStore();
    store.addChannel(1, { type: "webhook", url: hanging.url, secret });
    store.addChannel(2, { type: "slack", url: flaky.url });
    store.addChannel(3, { type: "pagerduty", routingKey, endpoint: healthy.url });
    store.addChannel(4, { type: "slack", url: healthy.url }, false); // disabled: never called

    const started = performance.now();
    const summary = await dispatchNotification(sampleNotification(), store, {
      retry: fast,
      random: () => 0.5,
    });
    const elapsed = performance.now() - started;

    expect(summary).toMatchObject({ incidentId: 12, transition: "opened", delivered: 2, failed: 1 });
    expect(summary.channels).toEqual([
      expect.objectContaining({ channelId: 1, type: "webhook", status: "failed", attempts: 3 }),
      expect.objectContaining({ channelId: 2, type: "slack", status: "delivered", attempts: 3 }),
      expect.objectContaining({ channelId: 3, type: "pagerduty", status: "delivered", attempts: 1 }),
    ]);
    expect(summary.channels[0]?.error).toMatch(/timeout|aborted/);

    // Every attempt is in the log.
    expect(store.attempts(1).map((a) => [a.attempt, a.status, a.timedOut])).toEqual([
      [1, "retrying", true],
      [2, "retrying", true],
      [3, "failed", true],
    ]);
    for (const a of store.attempts(1)) expect(a.durationMs).toBeGreaterThanOrEqual(fast.timeoutMs - 5);
    expect(store.attempts(2).map((a) => [a.attempt, a.status, a.httpStatus])).toEqual([
      [1, "retrying", 500],
      [2, "retrying", 500],
      [3, "delivered", 200],
    ]);
    expect(store.attempts(2)[0]?.error).toContain("oops");
    expect(store.attempts(3).map((a) => [a.attempt, a.status, a.httpStatus, a.error])).toEqual([
      [1, "delivered", 202, null],
    ]);
    expect(store.attempts(4)).toEqual([]);

    // The healthy and the flaky channel are done before the hanging one's first attempt times out.
    const firstTimeout = store.log.indexOf(store.attempts(1)[0]!);
    expect(store.log.indexOf(store.attempts(3)[0]!)).toBeLessThan(firstTimeout);
    expect(store.log.indexOf(store.attempts(2)[2]!)).toBeLessThan(firstTimeout);
    expect(elapsed).toBeGreaterThanOrEqual(3 * fast.timeoutMs);
    expect(hanging.requests).toHaveLength(3);
  });

  it("a non-retryable failure (400) is tried once", async () => {
    const bad = await peer((_, res) => reply(res, 400, "invalid_payload"));
    const store = new ArrayStore();
    store.addChannel(1, { type: "slack", url: bad.url });
    const summary = await dispatchNotification(sampleNotification(), store, { retry: fast });
    expect(summary.channels[0]).toMatchObject({ status: "failed", attempts: 1 });
    expect(store.log.map((a) => [a.status, a.httpStatus])).toEqual([["failed", 400]]);
  });

  it("never rejects: a store that cannot list channels or record attempts is logged, not thrown", async () => {
    const lines: { level: string; message: string }[] = [];
    const logger = (level: string, message: string) => void lines.push({ level, message });

    const broken = new ArrayStore();
    broken.channels = { listEnabled: async () => Promise.reject(new Error("database is down")) };
    const summary = await dispatchNotification(sampleNotification(), broken, { retry: fast, logger });
    expect(summary).toMatchObject({
      delivered: 0,
      failed: 0,
      error: expect.stringContaining("database is down"),
    });

    const ok = await peer((_, res) => reply(res, 200, "ok"));
    const unlogged = new ArrayStore();
    unlogged.addChannel(1, { type: "slack", url: ok.url });
    unlogged.deliveries = { record: async () => Promise.reject(new Error("log table locked")) };
    const delivered = await dispatchNotification(sampleNotification(), unlogged, { retry: fast, logger });
    expect(delivered.delivered).toBe(1);
    expect(lines.map((l) => l.message)).toEqual([
      "incident notification failed",
      "could not record alert delivery attempt",
    ]);
  });

  it("a Retry-After from the peer stretches the backoff, within the cap", async () => {
    let calls = 0;
    const limited = await peer((_, res) =>
      ++calls === 1 ? reply(res, 429, "rate_limited", { "Retry-After": "0.1" }) : reply(res, 200, "ok"),
    );
    const store = new ArrayStore();
    store.addChannel(1, { type: "slack", url: limited.url });
    await dispatchNotification(sampleNotification(), store, { retry: { ...fast, maxDelayMs: 1000 } });
    const [first, second] = store.attempts(1);
    expect(second!.startedAt.getTime() - first!.startedAt.getTime()).toBeGreaterThanOrEqual(100);
  });

  it("aborting the dispatch signal stops retrying", async () => {
    const failing = await peer((_, res) => reply(res, 503, "down"));
    const store = new ArrayStore();
    store.addChannel(1, { type: "slack", url: failing.url });
    const controller = new AbortController();
    const pending = dispatchNotification(sampleNotification(), store, {
      retry: { attempts: 5, baseDelayMs: 200, maxDelayMs: 200, timeoutMs: 300 },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    const summary = await pending;
    expect(summary.channels[0]).toMatchObject({ status: "failed", attempts: 1 });
  });
});

describe("backoffDelay", () => {
  const policy = { baseDelayMs: 1000, maxDelayMs: 60_000 };
  it("doubles per attempt, with half of it jittered, and stops at the cap", () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 0.999999)).toBeCloseTo(1000, 0);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(3000);
    expect(backoffDelay(10, policy, () => 1)).toBe(60_000);
    expect(backoffDelay(30, policy, () => 0)).toBe(30_000);
  });
  it("waits at least Retry-After, but never past the cap", () => {
    expect(backoffDelay(1, policy, () => 0, 5000)).toBe(5000);
    expect(backoffDelay(1, policy, () => 0, 600_000)).toBe(60_000);
  });
});
