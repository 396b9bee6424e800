/**
 * Login throttling: at most `maxFailures` failed logins per client address and per e-mail within
 * `windowMs`, after which further attempts are refused until the window passes. Kept in process
 * memory: each replica throttles on its own, which bounds a guesser to replicas × maxFailures per
 * window — acceptable next to scrypt's per-guess cost, and it needs no table write per attempt.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 15 * 60_000,
  ) {}

  /** Milliseconds until `keys` may try again, or 0 when allowed. */
  retryAfter(keys: string[], now = Date.now()): number {
    let wait = 0;
    for (const key of keys) {
      const recent = this.recent(key, now);
      if (recent.length >= this.maxFailures)
        wait = Math.max(wait, (recent[0] as number) + this.windowMs - now);
    }
    return wait;
  }

  fail(keys: string[], now = Date.now()): void {
    for (const key of keys) this.failures.set(key, [...this.recent(key, now), now]);
  }

  succeed(keys: string[]): void {
    for (const key of keys) this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (kept.length === 0) this.failures.delete(key);
    return kept;
  }
}
