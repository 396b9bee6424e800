import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRfc3339 } from "./date-time.ts";

describe("parseRfc3339", () => {
  it("reads every real instant exactly as Date prints it", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("0001-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59Z"),
          noInvalidDate: true,
        }),
        (date) => {
          expect(parseRfc3339(date.toISOString())).toEqual({ ms: date.getTime() });
        },
      ),
    );
  });

  it("never rolls a field over: whatever it accepts prints back to the same calendar fields", () => {
    const two = (n: number) => String(n).padStart(2, "0");
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        (year, month, day, hour) => {
          const text = `${String(year).padStart(4, "0")}-${two(month)}-${two(day)}T${two(hour)}:00:00Z`;
          const parsed = parseRfc3339(text);
          if ("ms" in parsed) expect(new Date(parsed.ms).toISOString().slice(0, 13)).toBe(text.slice(0, 13));
        },
      ),
    );
  });
});
