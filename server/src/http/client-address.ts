/**
 * @module
 * Who is on the other end: the address that anonymous budgets and login throttling key on.
 *
 * The peer of the TCP connection, unless that peer is a configured trusted proxy
 * (`FACEDRIFT_TRUSTED_PROXIES`, default none): then `X-Forwarded-For` is read from the right,
 * skipping trusted hops, and the first untrusted address is the client. Trusting the header from
 * anyone let a client pick a fresh address per request; ignoring a real proxy made every client
 * one address, so one guesser locked out everyone's logins.
 */
import { BlockList, isIP } from "node:net";
import type { Context } from "hono";

/** Parses `10.0.0.0/8,192.168.1.5,fd00::/8` into a BlockList; throws naming a bad entry. */
export function parseTrustedProxies(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", prefix] = entry.split("/");
    const family = isIP(address);
    if (family === 0)
      throw new Error(`FACEDRIFT_TRUSTED_PROXIES: "${entry}" is not an address or CIDR range`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) list.addAddress(address, type);
    else {
      const bits = Number(prefix);
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) {
        throw new Error(`FACEDRIFT_TRUSTED_PROXIES: "${entry}" has a bad prefix length`);
      }
      list.addSubnet(address, bits, type);
    }
  }
  return list;
}

/** `::ffff:1.2.3.4` is the IPv4 host 1.2.3.4, however the socket reports it. */
function unmapped(address: string): string {
  return /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;
}

function isTrusted(address: string, trusted: BlockList): boolean {
  const plain = unmapped(address);
  const family = isIP(plain);
  return family !== 0 && trusted.check(plain, family === 4 ? "ipv4" : "ipv6");
}

/** The TCP peer, as `@hono/node-server` hands it over in `c.env`; undefined in-process. */
function peerOf(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/** The client's address, or `unknown` when the request did not come over a socket (tests). */
export function clientAddress(c: Context, trusted: BlockList | null): string {
  const peer = peerOf(c);
  if (peer === undefined) return "unknown";
  if (!trusted || !isTrusted(peer, trusted)) return unmapped(peer);
  const hops = (c.req.header("x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (isIP(unmapped(hop)) === 0) return unmapped(peer); // a forged or garbled chain: trust none of it
    if (!isTrusted(hop, trusted)) return unmapped(hop);
  }
  return unmapped(hops[0] ?? peer);
}

/**
 * The key an address is budgeted under: IPv6 clients by their /64, since one host is commonly
 * given a whole /64 and could otherwise take a fresh budget per address.
 */
export function addressKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head = "", tail = ""] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::")
    ? [...left, ...new Array(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
