/**
 * @module
 * Retry delays for the outbox: exponential with a cap, minus up to `jitter` of the delay so that
 * many capture stations coming back online do not retry in lockstep ("equal jitter", as in the AWS
 * Architecture Blog's "Exponential Backoff and Jitter", 2015).
 */

export interface BackoffPolicy {
  /** Delay before the first retry. */
  baseMs: number;
  /** No delay exceeds this. */
  capMs: number;
  /** Fraction of the delay that is randomised away, in [0, 1]. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 60_000, jitter: 0.5 };

/** Delay before retry number `attempt` (1 for the first retry). */
export function retryDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be ≥ 1, got ${attempt}`);
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
  return exponential * (1 - policy.jitter * random());
}
