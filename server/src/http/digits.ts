/**
 * @module
 * Integers read from a query string or a path: decimal digits only. `z.coerce.number()` alone
 * runs `Number()` on the text, which reads "0x10" as 16, "1e3" as 1000, "0b11" as 3 and "" or
 * " " as 0, so a malformed cursor or limit was silently taken as another number.
 */
import { z } from "@hono/zod-openapi";

const DIGITS = /^[0-9]+$/;

/** `schema` (a `z.coerce.number()` chain) behind a check that the text is decimal digits. */
export function digitsOnly<T extends z.ZodType>(schema: T) {
  return z.preprocess((value, ctx) => {
    if (typeof value !== "string" || DIGITS.test(value)) return value;
    ctx.addIssue({ code: "custom", message: "must be a whole number in decimal digits", input: value });
    return z.NEVER;
  }, schema);
}
