/**
 * @module
 * Request budgets: a fixed one-minute window per key, in a table that is bounded and cannot be
 * flushed. Keys are authenticated principals (`key:12`, `user:3`), never the raw header text
 * (`bearer KEY`, `BEARER KEY` and extra spaces each got a fresh budget), and client addresses for
 * requests that are not (yet) authenticated. Counted per process; with R replicas the effective
 * budget is up to R× (say so to operators rather than add a shared store).
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { FacedriftError } from "../errors.ts";
import type { AppEnv } from "./env.ts";

const WINDOW_MS = 60_000;

interface Window {
  start: number;
  count: number;
}

/**
 * At most `limit` takes per key per minute. The table holds at most `maxKeys` live windows; when
 * it is full, expired windows are swept, and if none has expired, new keys share one overflow
 * window. A live window is never evicted, so a flood of new keys (10,002 bogus API keys used to
 * clear the table) cannot reset a key that has spent its budget; at worst newcomers share a budget
 * until the flood's windows expire.
 */
export class RequestBudget {
  private readonly windows = new Map<string, Window>();
  private readonly overflow: Window = { start: 0, count: 0 };
  private lastSweep = 0;

  constructor(
    readonly limit: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one request; milliseconds until `key` may try again when over budget, else 0. */
  take(key: string, now = Date.now()): number {
    const window = this.windowOf(key, now);
    window.count += 1;
    return window.count > this.limit ? window.start + WINDOW_MS - now : 0;
  }

  /** Like `take` without counting: is `key` over budget right now? */
  waitFor(key: string, now = Date.now()): number {
    const window = this.windows.get(key);
    if (!window || now - window.start >= WINDOW_MS) return 0;
    return window.count >= this.limit ? window.start + WINDOW_MS - now : 0;
  }

  get size(): number {
    return this.windows.size;
  }

  private windowOf(key: string, now: number): Window {
    const known = this.windows.get(key);
    if (known && now - known.start < WINDOW_MS) return known;
    if (known) this.windows.delete(key);
    if (this.windows.size >= this.maxKeys) this.sweep(now);
    if (this.windows.size >= this.maxKeys) {
      if (now - this.overflow.start >= WINDOW_MS) Object.assign(this.overflow, { start: now, count: 0 });
      return this.overflow;
    }
    const fresh = { start: now, count: 0 };
    this.windows.set(key, fresh);
    return fresh;
  }

  /** Drops expired windows; at most once a second, so a full table of live ones costs O(1). */
  private sweep(now: number): void {
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) if (now - window.start >= WINDOW_MS) this.windows.delete(key);
  }
}

/** The 429 for a spent budget, with Retry-After. */
export function overBudget(c: Context, waitMs: number, message: string): FacedriftError {
  c.header("Retry-After", String(Math.max(1, Math.ceil(waitMs / 1000))));
  return new FacedriftError("too_many_requests", message);
}

/** Whether the request carries a credential to check (a bearer header or a session cookie). */
export function hasCredential(c: Context, sessionCookie: string): boolean {
  return c.req.header("authorization") !== undefined || getCookie(c, sessionCookie) !== undefined;
}

/**
 * Requests without a credential are budgeted per client address before anything else runs.
 * Requests with one are budgeted by `requireScope`: by principal once authenticated, and by
 * address once refused, so guessing keys spends the guesser's address's budget while devices with
 * valid keys behind the same NAT keep working.
 */
export function anonymousBudget(sessionCookie: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!hasCredential(c, sessionCookie)) {
      const wait = c.var.budgets.anonymous.take(c.var.clientAddressKey);
      if (wait > 0) throw overBudget(c, wait, "too many requests without a credential from this address");
    }
    await next();
  };
}
