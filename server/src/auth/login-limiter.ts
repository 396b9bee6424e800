/**
 * Login throttling: failed logins are counted per client address and per account within
 * `windowMs`; past either limit further attempts are refused until the window passes.
 *
 * - Per address (default 10 per 15 minutes): what one guesser gets. The address is the real
 *   client's (`http/client-address.ts`): trusting `X-Forwarded-For` from anyone let a guesser
 *   pick a fresh address per try, and keying every client without it on one bucket let one
 *   guesser lock out everyone.
 * - Per account (default 30 per 15 minutes, from all addresses): what a distributed guesser gets
 *   against one account. It can lock that one account out for the window; it cannot lock out
 *   anyone else, and a scrypt check per guess makes the limit the binding cost.
 *
 * Kept in process memory: each replica throttles on its own, which bounds a guesser to
 * replicas × limit per window, and needs no table write per attempt. The table is bounded
 * (`maxKeys`); when it is full of live entries, new keys share one overflow entry, so a flood of
 * made-up e-mails can neither grow memory nor clear the count of an account under attack.
 */
export interface LoginLimits {
  perAddress: number;
  perAccount: number;
  windowMs: number;
  maxKeys: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAddress: 10,
  perAccount: 30,
  windowMs: 15 * 60_000,
  maxKeys: 100_000,
};

const OVERFLOW = "\u0000overflow";

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly limits: LoginLimits;

  constructor(limits: Partial<LoginLimits> = {}) {
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
  }

  /** Milliseconds until this address may try this account again, or 0 when allowed. */
  retryAfter(address: string, account: string, now = Date.now()): number {
    return Math.max(
      this.wait(this.keyOf(`ip:${address}`), this.limits.perAddress, now),
      this.wait(this.keyOf(`account:${account}`), this.limits.perAccount, now),
    );
  }

  fail(address: string, account: string, now = Date.now()): void {
    for (const key of [`ip:${address}`, `account:${account}`]) {
      const slot = this.slotFor(key, now);
      // Only the latest `limit` failures decide anything; older ones need not be kept.
      const keep = Math.max(this.limits.perAddress, this.limits.perAccount) - 1;
      this.failures.set(slot, [...this.recent(slot, now).slice(-keep), now]);
    }
  }

  /** A success clears the account's count (its owner is back) and this address's. */
  succeed(address: string, account: string): void {
    this.failures.delete(`ip:${address}`);
    this.failures.delete(`account:${account}`);
  }

  get size(): number {
    return this.failures.size;
  }

  private wait(key: string, max: number, now: number): number {
    const recent = this.recent(key, now);
    return recent.length >= max ? (recent[recent.length - max] as number) + this.limits.windowMs - now : 0;
  }

  /** A known key, else the overflow entry while the table is full. */
  private keyOf(key: string): string {
    return this.failures.has(key) || this.failures.size < this.limits.maxKeys ? key : OVERFLOW;
  }

  private slotFor(key: string, now: number): string {
    if (this.failures.has(key) || this.failures.size < this.limits.maxKeys) return key;
    for (const known of this.failures.keys()) this.recent(known, now); // drops expired entries
    return this.failures.size < this.limits.maxKeys ? key : OVERFLOW;
  }

  private recent(key: string, now: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((t) => now - t < this.limits.windowMs);
    if (kept.length === 0) this.failures.delete(key);
    else if (kept.length !== this.failures.get(key)?.length) this.failures.set(key, kept);
    return kept;
  }
}
