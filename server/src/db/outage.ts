/**
 * @module
 * Tells a database outage (the server is down, restarting or unreachable) from every other
 * database error, so the HTTP edge can answer 503 with `Retry-After` — a condition a client
 * should wait out and retry — instead of a 500 that reads as a bug.
 */

/** postgres.js's own connection errors (`Errors.connection` in its `errors.js`). */
const DRIVER_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  "CONNECT_TIMEOUT",
]);

/** Node's socket errors while connecting to or talking with the database. */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);

/**
 * SQLSTATEs a server sends while it cannot serve: class 08 (connection exception), 57P01–57P03
 * (shut down by an administrator, crash shutdown, cannot connect now — e.g. in recovery) and 53300
 * (too many connections).
 */
function isOutageSqlState(code: string): boolean {
  return (
    code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03" || code === "53300"
  );
}

/** True when `error` (or one of its causes, e.g. inside drizzle's `DrizzleQueryError`) is an outage. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") {
      if (DRIVER_CODES.has(code) || SOCKET_CODES.has(code)) return true;
      if (/^[0-9A-Z]{5}$/.test(code) && isOutageSqlState(code)) return true;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
