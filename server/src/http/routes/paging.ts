import { z } from "@hono/zod-openapi";
import { FacedriftError } from "../../errors.ts";
import type { IdKind } from "../../ids/public-ids.ts";
import { digitsOnly } from "../digits.ts";
import { PUBLIC_ID_EXTENSION, publicIdSchema } from "../public-ids.ts";

const instant = z.iso
  .datetime({ offset: true, error: "must be an RFC 3339 date-time with an offset" })
  .optional()
  .openapi({ example: "2026-11-26T00:00:00Z" });

/**
 * `limit`, `before` and the `from`/`to` time range of the newest-first listings of `kind`.
 * `before` is the previous page's `nextBefore`, a public id (`http/public-ids.ts`).
 */
export const pagedRangeQuerySchema = (kind: IdKind) =>
  z.object({
    limit: digitsOnly(z.coerce.number().int().min(1).max(500).default(50)),
    before: digitsOnly(
      z.coerce
        .number()
        .int()
        .min(1)
        .optional()
        .openapi({
          description: "The previous page's nextBefore: return older rows only",
          [PUBLIC_ID_EXTENSION]: kind,
        }),
    ),
    from: instant.openapi({ description: "Inclusive lower bound on the row's time" }),
    to: instant.openapi({ description: "Inclusive upper bound on the row's time" }),
  });

/** Parsed `from`/`to`; `from` after `to` is a 400 naming `from`. */
export function timeRange(query: { from?: string | undefined; to?: string | undefined }): {
  from?: Date;
  to?: Date;
} {
  const range: { from?: Date; to?: Date } = {};
  if (query.from) range.from = new Date(query.from);
  if (query.to) range.to = new Date(query.to);
  if (range.from && range.to && range.from > range.to) {
    throw new FacedriftError("invalid_request", "from: must not be after to", { field: "from" });
  }
  return range;
}

/** A listing's cursor: the last row's public id; null on the last page. */
export const nextBeforeSchema = (kind: IdKind) =>
  publicIdSchema(kind, "Pass as before for the next page").nullable();

/** `{id}` in a path: a public id of `kind`, decoded by the route with `internalId`. */
export const idParamsSchema = (kind: IdKind) =>
  z.object({
    id: digitsOnly(
      z.coerce
        .number()
        .int()
        .min(1)
        .openapi({
          param: { name: "id", in: "path" },
          example: 3_180_734_591_806_271,
          [PUBLIC_ID_EXTENSION]: kind,
        }),
    ),
  });
