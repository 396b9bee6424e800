/**
 * @module
 * Dates exactly as written. `Date.parse` rolls impossible dates over (`2026-02-30` became
 * 2 March) and accepts years like 0000, so an event time could be silently stored as another
 * one. Here every field is range-checked and the result is rebuilt and compared.
 */

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Epoch milliseconds of an RFC 3339 date-time with offset, or why it is not one. */
export function parseRfc3339(text: string): { ms: number } | { problem: string } {
  const m = RFC3339.exec(text);
  if (!m) return { problem: "must be an RFC 3339 date-time with an offset, like 2026-11-26T12:00:00Z" };
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = m[7] ?? "";
  if (month < 1 || month > 12) return { problem: `has month ${m[2]}` };
  // Day 0 of the next month is the last of this one. setUTCFullYear, unlike Date.UTC, does not
  // map years 0–99 to 1900–1999.
  const days = new Date(new Date(0).setUTCFullYear(year, month, 0)).getUTCDate();
  if (day < 1 || day > days) return { problem: `has day ${m[3]}, and that month has ${days} days` };
  if (hour > 23) return { problem: `has hour ${m[4]}` };
  if (minute > 59) return { problem: `has minute ${m[5]}` };
  // RFC 3339 allows a leap second (60); JavaScript time cannot represent it, so it is refused
  // rather than silently moved to the next minute.
  if (second > 59) return { problem: `has second ${m[6]}` };
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return { problem: `has offset ${m[9]}${m[10]}:${m[11]}` };
    offsetMinutes = (m[9] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const local = new Date(0).setUTCFullYear(year, month - 1, day);
  const ms =
    local +
    ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 +
    Number(fraction.slice(0, 3).padEnd(3, "0"));
  return { ms };
}

/** 2001-01-01T00:00:00Z: no face embedding in this product's world was made before it. */
export const EARLIEST_EVENT_MS = Date.UTC(2001, 0, 1);

/**
 * Why `ms` is not a plausible event time: before 2001 (typically seconds sent where milliseconds
 * were meant, or a zeroed clock) or further than `maxFutureSkewMs` after `nowMs` (a device clock
 * set wrong, or microseconds).
 */
export function eventTimeProblem(ms: number, nowMs: number, maxFutureSkewMs: number): string | null {
  if (!Number.isSafeInteger(ms)) return "is not a whole number of milliseconds";
  if (ms < EARLIEST_EVENT_MS) {
    const seconds = ms >= EARLIEST_EVENT_MS / 1000 && ms <= (nowMs + maxFutureSkewMs) / 1000;
    return `is before 2001${seconds ? " (epoch seconds? ts takes milliseconds)" : ""}`;
  }
  if (ms > nowMs + maxFutureSkewMs) {
    return `is more than ${Math.round(maxFutureSkewMs / 1000)} s in the future (FACEDRIFT_MAX_FUTURE_SKEW_SECONDS)`;
  }
  return null;
}
