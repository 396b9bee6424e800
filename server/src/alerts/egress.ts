/**
 * @module
 * Where alert channels may connect. Channel URLs (webhook, Slack, PagerDuty, Web Push endpoints)
 * come from API callers, so without a check the server would POST wherever a tenant points it:
 * the cloud metadata service at 169.254.169.254, or, on a shared deployment, another tenant's
 * intranet (server-side request forgery).
 *
 * - `private` (default; self-hosted, where an intranet webhook or a local Mattermost is normal):
 *   every unicast address but link-local (where metadata services live) and unspecified ones.
 * - `public` (`FACEDRIFT_CHANNEL_EGRESS=public`, for multi-tenant hosting): public unicast only —
 *   no loopback, RFC 1918, CGNAT or unique-local addresses either.
 *
 * The check runs where the connection is made (undici's `lookup`), on every address DNS returns,
 * so a name that resolves to a public address when the channel is created and to a private one
 * when it is used (DNS rebinding) is still refused. Literal IP hosts skip DNS and are checked
 * before the request. Node's `fetch` cannot take a lookup hook, hence undici's own `fetch`.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { Agent, fetch as undiciFetch } from "undici";
import type { EgressPolicy } from "../config/config.ts";

export type { EgressPolicy };

/** Refused under every policy. */
const NEVER = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], // "this network": 0.0.0.0 reaches the local host on Linux
  ["169.254.0.0", 16], // link-local: AWS, GCP and Azure metadata at 169.254.169.254
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved and broadcast
] as const)
  NEVER.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 128],
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
  ["fd00:ec2::", 32], // AWS's IPv6 metadata endpoint fd00:ec2::254
] as const)
  NEVER.addSubnet(net, prefix, "ipv6");

/** Refused under `public` too. */
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ["127.0.0.0", 8],
  ["10.0.0.0", 8],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["100.64.0.0", 10], // carrier-grade NAT, also cloud-internal ranges
  ["192.0.0.0", 24],
  ["198.18.0.0", 15], // benchmarking
] as const)
  INTERNAL.addSubnet(net, prefix, "ipv4");
INTERNAL.addAddress("::1", "ipv6");
INTERNAL.addSubnet("fc00::", 7, "ipv6"); // unique local

/** Why `address` may not be reached under `policy`, or null when it may. */
export function refusal(address: string, policy: EgressPolicy): string | null {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  // An IPv4-mapped IPv6 address (::ffff:169.254.169.254) reaches the IPv4 host: judge that.
  const mapped = family === 6 ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] : undefined;
  const [ip, type] = mapped
    ? [mapped, "ipv4" as const]
    : [address, family === 4 ? ("ipv4" as const) : ("ipv6" as const)];
  if (NEVER.check(ip, type)) return `${address} is a link-local, unspecified or multicast address`;
  if (policy === "public" && INTERNAL.check(ip, type)) {
    return `${address} is a loopback or private address, and FACEDRIFT_CHANNEL_EGRESS=public allows public ones only`;
  }
  return null;
}

/** Thrown (as the cause of undici's "fetch failed") when a destination is refused. */
export class EgressRefused extends Error {
  override readonly name = "EgressRefused";
}

/** The hostname of `url` as an address, without IPv6 brackets, when it is a literal IP. */
function literalHost(url: string): string | null {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, "$1");
  return isIP(host) ? host : null;
}

/**
 * Throws `EgressRefused` when `url`'s host is a literal IP the policy refuses, or `localhost`
 * under `public`. Hostnames are judged when connecting (`egressFetch`); this catches the obvious
 * cases when a channel is created, without waiting for DNS.
 */
export function checkUrlHost(url: string, policy: EgressPolicy): void {
  const literal = literalHost(url);
  const why = literal
    ? refusal(literal, policy)
    : policy === "public" && /^localhost\.?$|\.localhost\.?$/i.test(new URL(url).hostname)
      ? `${new URL(url).hostname} is this host, and FACEDRIFT_CHANNEL_EGRESS=public allows public addresses only`
      : null;
  if (why) throw new EgressRefused(why);
}

/** A `lookup` for undici's connector that drops refused addresses, and fails when none is left. */
export function guardedLookup(policy: EgressPolicy, lookup: typeof dnsLookup = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, found) => {
      if (error) return callback(error, "", 0);
      const addresses = found as unknown as LookupAddress[];
      const allowed = addresses.filter((a) => refusal(a.address, policy) === null);
      if (allowed.length === 0) {
        const why = addresses.map((a) => refusal(a.address, policy)).join("; ");
        return callback(new EgressRefused(`${hostname} resolves only to refused addresses: ${why}`), "", 0);
      }
      if ((options as { all?: boolean }).all)
        return (callback as (e: null, a: LookupAddress[]) => void)(null, allowed);
      const first = allowed[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

const agents = new Map<EgressPolicy, Agent>();

/**
 * A `fetch` whose connections only reach what `policy` allows. `lookup` replaces the system
 * resolver (tests stage a name that resolves to a refused address).
 */
export function egressFetch(policy: EgressPolicy, lookup?: typeof dnsLookup): typeof fetch {
  let agent = lookup ? undefined : agents.get(policy);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup(policy, lookup) } });
    if (!lookup) agents.set(policy, agent);
  }
  const dispatcher = agent;
  return (async (input: string | URL | Request, init?: RequestInit) => {
    checkUrlHost(String(input instanceof Request ? input.url : input), policy);
    return undiciFetch(input as never, { ...(init as object), dispatcher } as never);
  }) as unknown as typeof fetch;
}

let current: EgressPolicy = "private";

/** The process's policy, set once from the config when a command starts (`cli/options.ts`). */
export function setEgressPolicy(policy: EgressPolicy): void {
  current = policy;
}

export function egressPolicy(): EgressPolicy {
  return current;
}

/**
 * The 400 a channel's config gets when one of its targets is refused: the URL fields, and an
 * SMTP host given as an address (nodemailer connects on its own, so hostnames are not judged).
 */
export function checkChannelTargets(
  config: { type: string } & Record<string, unknown>,
  policy: EgressPolicy,
): { field: string; why: string } | null {
  for (const field of ["url", "endpoint"] as const) {
    const value = config[field];
    if (typeof value !== "string") continue;
    try {
      checkUrlHost(value, policy);
    } catch (error) {
      if (error instanceof EgressRefused) return { field, why: error.message };
      throw error;
    }
  }
  if (config.type === "email" && typeof config.host === "string" && isIP(config.host)) {
    const why = refusal(config.host, policy);
    if (why) return { field: "host", why };
  }
  return null;
}
