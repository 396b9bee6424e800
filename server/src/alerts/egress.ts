/**
 * @module
 * Where alert channels may connect: the one egress guard of every outbound connection (the HTTP
 * channels through `egressFetch`, e-mail through `resolveChecked`, Web Push with its own stricter
 * policy). Channel URLs, SMTP hosts and push endpoints
 * come from API callers, so without a check the server would POST wherever a tenant points it:
 * the cloud metadata service at 169.254.169.254, or, on a shared deployment, another tenant's
 * intranet (server-side request forgery).
 *
 * - `private` (default; self-hosted, where an intranet webhook or a local Mattermost is normal):
 *   every unicast address but link-local (where metadata services live) and unspecified ones.
 * - `public` (`FACEDRIFT_CHANNEL_EGRESS=public`, for multi-tenant hosting): public unicast only —
 *   no loopback, RFC 1918, CGNAT or unique-local addresses either.
 *
 * Every address is judged after normalising how it is written: all IPv4 spellings the system
 * resolver accepts (`2852039166`, `0xa9fea9fe`, `169.254.43518`, `127.1`), and IPv6 addresses that
 * embed an IPv4 host (mapped, compatible, NAT64 `64:ff9b::/96`, 6to4). The check runs where the
 * connection is made, on every address DNS returns, and the connection goes to the checked
 * address, so a name that resolves to a public address when the channel is created and to a
 * private one when it is used (DNS rebinding) is still refused. Node's `fetch` cannot take a
 * lookup hook, hence undici's own `fetch`.
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
  // Documentation (RFC 5737): never a real public host, so only a trick would point there.
  ["192.0.2.0", 24],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
] as const)
  INTERNAL.addSubnet(net, prefix, "ipv4");
INTERNAL.addAddress("::1", "ipv6");
for (const [net, prefix] of [
  ["fc00::", 7], // unique local
  ["fec0::", 10], // site-local (deprecated, still routed by some stacks)
  ["2001:db8::", 32], // documentation (RFC 3849)
  ["64:ff9b:1::", 48], // local-use NAT64 (RFC 8215): translates into the operator's own network
  ["100::", 64], // discard-only
  ["2001::", 32], // Teredo: its IPv4 endpoints are hidden in the address
] as const)
  INTERNAL.addSubnet(net, prefix, "ipv6");

/**
 * The IPv4 address behind every spelling `inet_aton` accepts, which is what the system resolver
 * (and so nodemailer, curl, ...) makes of a host string: `2852039166`, `0xa9fea9fe`,
 * `169.254.43518`, `0251.0376.0251.0376`, `127.1` and `0` are all addresses. Null for anything
 * that is not such a spelling (a name).
 */
export function ipv4FromSpelling(host: string): string | null {
  const parts = host.split(".");
  if (parts.length > 4 || parts.some((p) => p === "")) return null;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
    else if (/^0[0-7]*$/.test(part)) value = Number.parseInt(part, 8);
    else if (/^[1-9][0-9]*$/.test(part)) value = Number(part);
    else return null;
    values.push(value);
  }
  // The last part fills every byte the others leave.
  const last = values.pop() as number;
  if (values.some((v) => v > 255) || last >= 2 ** (8 * (4 - values.length))) return null;
  let n = last;
  values.forEach((v, i) => {
    n += v * 2 ** (8 * (3 - i));
  });
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** The eight 16-bit groups of an IPv6 address (a dotted IPv4 tail and a zone are allowed). */
function ipv6Groups(address: string): number[] {
  let text = address.replace(/%.*$/, "");
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const [a, b, c, d] = dotted.split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, -dotted.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : new Array(8 - left.length - right.length).fill("0");
  return [...left, ...fill, ...right].map((g) => Number.parseInt(g, 16));
}

/**
 * The IPv4 host an IPv6 address reaches, where it embeds one: IPv4-mapped (`::ffff:a9fe:a9fe` as
 * well as `::ffff:169.254.169.254`), IPv4-compatible (`::a9fe:a9fe`), NAT64's well-known prefix
 * (`64:ff9b::a9fe:a9fe`, RFC 6052) and 6to4 (`2002:a9fe:a9fe::`).
 */
export function embeddedIpv4(address: string): string | null {
  const g = ipv6Groups(address);
  const quad = (hi: number, lo: number) => [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return quad(g[6] as number, g[7] as number);
  if (zeros(0, 6) && ((g[6] as number) > 0 || (g[7] as number) > 1))
    return quad(g[6] as number, g[7] as number);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return quad(g[6] as number, g[7] as number);
  if (g[0] === 0x2002) return quad(g[1] as number, g[2] as number);
  return null;
}

/** Why `address` may not be reached under `policy`, or null when it may. */
export function refusal(address: string, policy: EgressPolicy): string | null {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  const judged: [string, "ipv4" | "ipv6"][] = [[address.replace(/%.*$/, ""), family === 4 ? "ipv4" : "ipv6"]];
  // An address that embeds an IPv4 host reaches that host: judge it as well.
  const inner = family === 6 ? embeddedIpv4(address) : null;
  if (inner) judged.push([inner, "ipv4"]);
  for (const [ip, type] of judged) {
    if (NEVER.check(ip, type)) return `${address} is a link-local, unspecified or multicast address`;
    if (policy === "public" && INTERNAL.check(ip, type)) {
      return `${address} is a loopback, private or documentation address, and FACEDRIFT_CHANNEL_EGRESS=public allows public ones only`;
    }
  }
  return null;
}

/** Thrown (as the cause of undici's "fetch failed") when a destination is refused. */
export class EgressRefused extends Error {
  override readonly name = "EgressRefused";
}

/**
 * Throws `EgressRefused` when `url`'s host is a literal IP the policy refuses, or `localhost`
 * under `public`. Hostnames are judged when connecting (`egressFetch`); this catches the obvious
 * cases when a channel is created, without waiting for DNS.
 */
export function checkUrlHost(url: string, policy: EgressPolicy): void {
  const why = hostProblem(new URL(url).hostname, policy);
  if (why) throw new EgressRefused(why);
}

/**
 * A host as written (an e-mail channel's `host`, a URL's hostname) as the address it denotes when
 * it is a literal: every IPv4 spelling canonicalised, IPv6 without brackets. Null for a name.
 */
export function literalAddress(host: string): { address: string; family: 4 | 6 } | null {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  if (isIP(bare) === 6) return { address: bare, family: 6 };
  const v4 = ipv4FromSpelling(bare);
  return v4 ? { address: v4, family: 4 } : null;
}

/** Why `host` is refused before any lookup (a refused literal, or `localhost` under public), else null. */
export function hostProblem(host: string, policy: EgressPolicy): string | null {
  const literal = literalAddress(host);
  if (literal) {
    const why = refusal(literal.address, policy);
    return why && literal.address !== host ? `${host} is ${literal.address}: ${why}` : why;
  }
  if (policy === "public" && /^localhost\.?$|\.localhost\.?$/i.test(host)) {
    return `${host} is this host, and FACEDRIFT_CHANNEL_EGRESS=public allows public addresses only`;
  }
  return null;
}

/**
 * The one gate of every outbound connection: the addresses `host` may be reached at under
 * `policy`, resolved once. Callers connect to one of these addresses, never to the name again,
 * so what was checked is what is reached (no second lookup for DNS rebinding to answer).
 * Throws `EgressRefused` when nothing allowed is left.
 */
export async function resolveChecked(
  host: string,
  policy: EgressPolicy,
  lookup: typeof dnsLookup = dnsLookup,
): Promise<LookupAddress[]> {
  const early = hostProblem(host, policy);
  if (early) throw new EgressRefused(early);
  const literal = literalAddress(host);
  if (literal) return [literal];
  const found = await new Promise<LookupAddress[]>((resolve, reject) =>
    lookup(host, { all: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses as unknown as LookupAddress[]),
    ),
  );
  const allowed = found.filter((a) => refusal(a.address, policy) === null);
  if (allowed.length === 0) {
    const why = found.map((a) => refusal(a.address, policy)).join("; ");
    throw new EgressRefused(`${host} resolves only to refused addresses: ${why || "none"}`);
  }
  return allowed;
}

/** A `lookup` for undici's connector, through {@link resolveChecked}. */
export function guardedLookup(policy: EgressPolicy, lookup: typeof dnsLookup = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolveChecked(hostname, policy, lookup).then(
      (allowed) => {
        if ((options as { all?: boolean }).all)
          return (callback as (e: null, a: LookupAddress[]) => void)(null, allowed);
        const first = allowed[0] as LookupAddress;
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
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
let push: EgressPolicy = "public";

/** The process's policy, set once from the config when a command starts (`cli/options.ts`). */
export function setEgressPolicy(policy: EgressPolicy): void {
  current = policy;
}

export function egressPolicy(): EgressPolicy {
  return current;
}

/**
 * Where Web Push may connect (`FACEDRIFT_PUSH_EGRESS`, default `public`). Browsers only ever
 * hand out endpoints of their vendor's push service, on the public internet over https, so the
 * stricter rule costs nothing and stops a subscription from being a way to make the server POST
 * into its own network. `private` is for a push relay inside that network.
 */
export function setPushEgressPolicy(policy: EgressPolicy): void {
  push = policy;
}

export function pushEgressPolicy(): EgressPolicy {
  return push;
}

/** Why a push endpoint may not be used under `policy`: https on an allowed host. */
export function pushEndpointProblem(endpoint: string, policy: EgressPolicy): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return "must be a URL";
  }
  if (policy === "public" && url.protocol !== "https:") return "must be an https URL";
  return hostProblem(url.hostname, policy);
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
  // nodemailer would hand any spelling to the system resolver (which reads `2852039166` as
  // 169.254.169.254); names are resolved and checked when the mail is sent (`email/index.ts`).
  if (config.type === "email" && typeof config.host === "string") {
    const why = hostProblem(config.host, policy);
    if (why) return { field: "host", why };
  }
  return null;
}
