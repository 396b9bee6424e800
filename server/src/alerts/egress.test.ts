/**
 * Where alert channels may connect: the address rules, the connect-time DNS check (a name the
 * test's resolver points at a refused address, as DNS rebinding would), a real channel refused
 * without a retry, and the API refusing such channels with the field named.
 */
import type { lookup as dnsLookup } from "node:dns";
import fc from "fast-check";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createTestApp } from "../http/test-app.ts";
import { DeliveryError } from "./delivery-error.ts";
import {
  checkChannelTargets,
  EgressRefused,
  egressFetch,
  embeddedIpv4,
  ipv4FromSpelling,
  pushEndpointProblem,
  refusal,
  resolveChecked,
} from "./egress.ts";
import { sampleNotification } from "./testing/alert.ts";
import { type Peer, reply, startPeer } from "./testing/peer.ts";
import { deliver } from "./webhook/index.ts";

let peer: Peer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

/** A resolver that answers `name` with `address` and knows nothing else. */
const resolving = (name: string, address: string, family: 4 | 6 = 4) =>
  ((hostname: string, _options: unknown, callback: (...args: unknown[]) => void) => {
    if (hostname !== name)
      return callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }));
    callback(null, [{ address, family }]);
  }) as unknown as typeof dnsLookup;

const causeOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    let e: unknown = error;
    while (e && !(e instanceof EgressRefused) && (e as { cause?: unknown }).cause)
      e = (e as { cause: unknown }).cause;
    return e;
  }
  throw new Error("expected a rejection");
};

describe("egress rules", () => {
  it("refuse link-local, unspecified and multicast addresses always; loopback and private ones under public", () => {
    const table = [
      ["169.254.169.254", false, false],
      ["::ffff:169.254.169.254", false, false],
      ["fd00:ec2::254", false, false],
      ["fe80::1", false, false],
      ["0.0.0.0", false, false],
      ["224.0.0.1", false, false],
      ["127.0.0.1", true, false],
      ["::1", true, false],
      ["10.1.2.3", true, false],
      ["172.20.0.5", true, false],
      ["192.168.1.10", true, false],
      ["100.64.0.1", true, false],
      ["fd12:3456::1", true, false],
      ["::ffff:10.0.0.1", true, false],
      ["8.8.8.8", true, true],
      ["172.32.0.1", true, true],
      ["2001:4860:4860::8888", true, true],
    ] as const;
    for (const [address, privateOk, publicOk] of table) {
      expect([address, refusal(address, "private") === null, refusal(address, "public") === null]).toEqual([
        address,
        privateOk,
        publicOk,
      ]);
    }
  });

  it("names the field of a channel whose target is refused", () => {
    expect(
      checkChannelTargets({ type: "webhook", url: "http://169.254.169.254/latest/meta-data" }, "private"),
    ).toEqual({ field: "url", why: expect.stringContaining("link-local") });
    expect(checkChannelTargets({ type: "slack", url: "http://[::1]:9000/hook" }, "public")?.field).toBe(
      "url",
    );
    expect(checkChannelTargets({ type: "slack", url: "http://localhost:9000/hook" }, "public")?.field).toBe(
      "url",
    );
    expect(checkChannelTargets({ type: "slack", url: "http://localhost:9000/hook" }, "private")).toBeNull();
    expect(checkChannelTargets({ type: "email", host: "10.0.0.25" }, "public")?.field).toBe("host");
    expect(
      checkChannelTargets({ type: "slack", url: "https://hooks.slack.com/services/T/B/x" }, "public"),
    ).toBeNull();
  });
});

describe("every spelling of an address is judged as the address it is", () => {
  it.each([
    ["2852039166", "169.254.169.254"],
    ["0xa9fea9fe", "169.254.169.254"],
    ["0XA9FEA9FE", "169.254.169.254"],
    ["169.254.43518", "169.254.169.254"],
    ["169.16689662", "169.254.169.254"],
    ["0251.0376.0251.0376", "169.254.169.254"],
    ["127.1", "127.0.0.1"],
    ["0", "0.0.0.0"],
    ["2130706433", "127.0.0.1"],
    ["0x7f000001", "127.0.0.1"],
    ["0x7f.1", "127.0.0.1"],
  ])("%s is %s", (spelling, address) => {
    expect(ipv4FromSpelling(spelling)).toBe(address);
  });

  it.each(["mail.example.com", "256.1.1.1", "1.2.3.4.5", "4294967296", "08.1.1.1", "1..2", "1.2.3.x"])(
    "%s is not an IPv4 spelling",
    (host) => {
      expect(ipv4FromSpelling(host)).toBeNull();
    },
  );

  it("any spelling of any link-local address is refused, under either policy", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0xa9fe0000, max: 0xa9feffff }),
        fc.integer({ min: 0, max: 3 }),
        (n, style) => {
          const bytes = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
          const spelling = [
            String(n),
            `0x${n.toString(16)}`,
            `${bytes[0]}.${(n & 0xffffff).toString()}`,
            bytes.map((b) => `0${b.toString(8)}`).join("."),
          ][style] as string;
          for (const policy of ["private", "public"] as const) {
            expect(checkChannelTargets({ type: "email", host: spelling }, policy)?.field).toBe("host");
          }
        },
      ),
    );
  });

  it.each([
    ["::ffff:a9fe:a9fe", "169.254.169.254"],
    ["::ffff:169.254.169.254", "169.254.169.254"],
    ["64:ff9b::a9fe:a9fe", "169.254.169.254"],
    ["64:ff9b::169.254.169.254", "169.254.169.254"],
    ["2002:a9fe:a9fe::1", "169.254.169.254"],
    ["::7f00:1", "127.0.0.1"],
  ])("IPv6 %s reaches %s, and is refused as it", (address, inner) => {
    expect(embeddedIpv4(address)).toBe(inner);
    expect(refusal(address, "public")).not.toBeNull();
  });

  it("under public, documentation ranges and NAT64 of private hosts are refused too", () => {
    for (const address of ["192.0.2.10", "198.51.100.1", "203.0.113.200", "2001:db8::1", "64:ff9b::a00:1"]) {
      expect([address, refusal(address, "public")]).toEqual([address, expect.any(String)]);
    }
    expect(refusal("64:ff9b::808:808", "public")).toBeNull(); // NAT64 of 8.8.8.8
    expect(embeddedIpv4("2001:4860:4860::8888")).toBeNull();
  });

  it("e-mail hosts: every loopback spelling and localhost are refused under public", () => {
    for (const host of ["localhost", "127.1", "0", "2130706433", "0x7f000001", "[::1]", "::ffff:7f00:1"]) {
      expect([host, checkChannelTargets({ type: "email", host }, "public")?.field]).toEqual([host, "host"]);
    }
    expect(checkChannelTargets({ type: "email", host: "127.1" }, "private")).toBeNull();
  });

  it("resolveChecked hands back the checked address, not the name", async () => {
    expect(await resolveChecked("mail.test", "private", resolving("mail.test", "10.1.2.3"))).toEqual([
      { address: "10.1.2.3", family: 4 },
    ]);
    await expect(resolveChecked("mail.test", "public", resolving("mail.test", "10.1.2.3"))).rejects.toThrow(
      EgressRefused,
    );
    await expect(resolveChecked("2852039166", "private")).rejects.toThrow(/169\.254\.169\.254/);
  });

  it("push endpoints must be https on a public address", () => {
    expect(pushEndpointProblem("https://fcm.googleapis.com/fcm/send/x", "public")).toBeNull();
    expect(pushEndpointProblem("http://fcm.googleapis.com/fcm/send/x", "public")).toMatch(/https/);
    expect(pushEndpointProblem("https://10.0.0.1/push", "public")).not.toBeNull();
    expect(pushEndpointProblem("https://2130706433/push", "public")).not.toBeNull();
  });
});

describe("egressFetch", () => {
  it("connects where the policy allows, by literal address and by a name resolved at connect time", async () => {
    peer = await startPeer((_, res) => reply(res, 200, "ok"));
    const port = new URL(peer.url).port;
    expect((await egressFetch("private")(`${peer.url}/x`)).status).toBe(200);
    // The name exists only in this resolver: reaching the peer proves the connection used it.
    const lookup = resolving("hooks.rebind.test", "127.0.0.1");
    expect((await egressFetch("private", lookup)(`http://hooks.rebind.test:${port}/x`)).status).toBe(200);
    expect(peer.requests).toHaveLength(2);
  });

  it("refuses a name that resolves to a refused address when connecting (DNS rebinding), and literal ones before", async () => {
    peer = await startPeer((_, res) => reply(res, 200, "ok"));
    const port = new URL(peer.url).port;
    const rebound = await causeOf(
      egressFetch(
        "public",
        resolving("hooks.rebind.test", "127.0.0.1"),
      )(`http://hooks.rebind.test:${port}/x`),
    );
    expect(rebound).toBeInstanceOf(EgressRefused);
    expect(String((rebound as Error).message)).toMatch(
      /hooks\.rebind\.test resolves only to refused addresses: 127\.0\.0\.1/,
    );
    expect(await causeOf(egressFetch("public")(`${peer.url}/x`))).toBeInstanceOf(EgressRefused);
    expect(peer.requests).toHaveLength(0);
  });

  it("makes a channel's delivery fail for good, without retries", async () => {
    const failure = await deliver(
      sampleNotification(),
      {
        type: "webhook",
        url: "http://169.254.169.254/latest/meta-data/iam",
        secret: "s3cret-that-is-long-enough",
      },
      {},
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeliveryError);
    expect(failure).toMatchObject({ retryable: false });
    expect((failure as Error).message).toMatch(/^webhook: request to http:\/\/169\.254\.169\.254 refused: /);
  });
});

describe("the API refuses channels and push endpoints the policy forbids", () => {
  const apps: Array<Awaited<ReturnType<typeof createTestApp>>> = [];
  afterAll(() => Promise.all(apps.map((t) => t.close())));

  it("with a 400 naming the field, and stores nothing", async () => {
    const t = await createTestApp({ channelEgress: "public" });
    apps.push(t);
    const admin = await t.keyFor("acme", ["admin"]);
    const metadata = await t.call("POST", "/v1/alert-channels", {
      key: admin,
      json: { type: "webhook", url: "http://169.254.169.254/latest", secret: "s3cret-that-is-long-enough" },
    });
    expect(metadata.status).toBe(400);
    expect(metadata.body.error).toMatchObject({ code: "invalid_request", field: "url" });
    const intranet = await t.call("POST", "/v1/alert-channels", {
      key: admin,
      json: { type: "slack", url: "http://10.0.0.7/hooks/ops" },
    });
    expect(intranet.body.error).toMatchObject({ field: "url" });
    expect(intranet.body.error.message).toContain("FACEDRIFT_CHANNEL_EGRESS=public");
    const push = await t.call("POST", "/v1/push/subscriptions", {
      key: admin,
      json: {
        endpoint: "http://192.168.1.1/push/abc",
        keys: { p256dh: `B${"q".repeat(86)}`, auth: "a".repeat(22) },
      },
    });
    expect(push.status).toBe(400);
    expect(push.body.error.field).toBe("endpoint");
    expect((await t.call("GET", "/v1/alert-channels", { key: admin })).body.items).toEqual([]);
    expect((await t.call("GET", "/v1/push/subscriptions", { key: admin })).body.items).toEqual([]);
  });
});
