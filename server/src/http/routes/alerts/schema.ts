import { z } from "@hono/zod-openapi";
import { ALERT_DETECTORS, ALERT_SEVERITIES } from "../../../db/schema/alert.ts";
import { CHANNEL_TYPES } from "../../../db/schema/alert-channel.ts";
import { DELIVERY_STATUSES } from "../../../db/schema/alert-delivery.ts";
import { FINDING_CATEGORIES } from "../../../db/schema/incident.ts";
import { digitsOnly } from "../../digits.ts";
import { PUBLIC_ID_EXTENSION, publicIdRecord, publicIdSchema } from "../../public-ids.ts";
import { StreamNameSchema } from "../common.ts";
import { nextBeforeSchema, pagedRangeQuerySchema } from "../paging.ts";

export const AlertSchema = z
  .object({
    id: publicIdSchema("alert"),
    stream: z.string(),
    detector: z.enum(ALERT_DETECTORS),
    severity: z.enum(ALERT_SEVERITIES),
    payload: publicIdRecord("The alert's numbers; `acknowledgement` once acknowledged"),
    createdAt: z.string(),
    acknowledgedAt: z.string().nullable(),
    incidentId: publicIdSchema(
      "incident",
      "The incident this finding belongs to; null for findings from before incidents",
    ).nullable(),
    category: z.enum(FINDING_CATEGORIES).nullable().openapi({
      description:
        "population: who is in front of the camera changed; input: how faces reach the model changed",
    }),
  })
  .openapi("Alert", {
    description:
      "One detector finding. Findings attach to their stream's incident (`/v1/incidents`), which is what channels notify about.",
  });

export const AlertPageSchema = z
  .object({ items: z.array(AlertSchema), nextBefore: nextBeforeSchema("alert") })
  .openapi("AlertPage");

export const AlertQuerySchema = pagedRangeQuerySchema("alert").extend({
  stream: StreamNameSchema.optional().openapi({ param: { name: "stream", in: "query" } }),
  detector: z.enum(ALERT_DETECTORS).optional(),
  severity: z.enum(ALERT_SEVERITIES).optional(),
  acknowledged: z
    .enum(["true", "false"], { error: "must be true or false" })
    .optional()
    .openapi({ description: "true: acknowledged only; false: open only" }),
  incident: digitsOnly(
    z.coerce
      .number()
      .int()
      .min(1)
      .optional()
      .openapi({ description: "Only the findings of this incident", [PUBLIC_ID_EXTENSION]: "incident" }),
  ),
});

export const AcknowledgeBodySchema = z
  .object({ note: z.string().max(1000).optional() })
  .openapi("AcknowledgeRequest");

export const DeliverySchema = z
  .object({
    id: publicIdSchema("alert-delivery"),
    channelId: publicIdSchema("alert-channel", "Null once the channel was deleted").nullable(),
    channelType: z.enum(CHANNEL_TYPES),
    attempt: z.number().int(),
    status: z.enum(DELIVERY_STATUSES),
    httpStatus: z.number().int().nullable(),
    error: z.string().nullable(),
    timedOut: z.boolean(),
    startedAt: z.string(),
    durationMs: z.number().int(),
  })
  .openapi("AlertDelivery");

export const DeliveryListSchema = z.object({ items: z.array(DeliverySchema) }).openapi("AlertDeliveries");
