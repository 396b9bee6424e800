import { z } from "@hono/zod-openapi";
import { ACTIVITY_BUCKETS } from "../../../services/dashboard/alert-activity.ts";

const instant = z.iso
  .datetime({ offset: true, error: "must be an RFC 3339 date-time with an offset" })
  .optional();

export const AlertActivityQuerySchema = z.object({
  bucket: z
    .enum(ACTIVITY_BUCKETS)
    .default("day")
    .openapi({ description: "Bar width: an hour or a day (UTC)" }),
  from: instant.openapi({ description: "Start (default: `to` minus 30 days by day, 48 hours by hour)" }),
  to: instant.openapi({ description: "End (default: now)" }),
  stream: z.string().min(1).max(200).optional().openapi({ description: "Only this stream" }),
});

const Counts = z.object({ info: z.number().int(), warning: z.number().int(), critical: z.number().int() });

export const AlertActivitySchema = z
  .object({
    bucket: z.enum(ACTIVITY_BUCKETS),
    from: z.string().openapi({ description: "The first bar's start" }),
    to: z.string().openapi({ description: "The last bar's end" }),
    bars: z.array(
      z.object({
        start: z.string(),
        findings: Counts.openapi({ description: "Findings (alert rows) detected in the bar, by severity" }),
        incidentsOpened: z.number().int(),
      }),
    ),
  })
  .openapi("AlertActivity");
