import { z } from "@hono/zod-openapi";
import { ALERT_SEVERITIES } from "../../../db/schema/alert.ts";
import { CHANNEL_TYPES } from "../../../db/schema/alert-channel.ts";
import { DELIVERY_STATUSES } from "../../../db/schema/alert-delivery.ts";
import { FINDING_CATEGORIES, INCIDENT_STATUSES, INCIDENT_TRANSITIONS } from "../../../db/schema/incident.ts";
import { publicIdSchema } from "../../public-ids.ts";
import { AlertSchema } from "../alerts/schema.ts";
import { StreamNameSchema } from "../common.ts";
import { nextBeforeSchema, pagedRangeQuerySchema } from "../paging.ts";

const RangeSchema = z.object({ from: z.string(), to: z.string() });

export const IncidentSchema = z
  .object({
    id: publicIdSchema("incident"),
    stream: z.string(),
    status: z.enum(INCIDENT_STATUSES),
    severity: z.enum(ALERT_SEVERITIES).openapi({
      description:
        "The highest severity of its findings; population findings count as info (docs/incidents.md)",
    }),
    notifiedSeverity: z
      .enum(ALERT_SEVERITIES)
      .nullable()
      .openapi({ description: "The highest severity channels were told; null: none was notified" }),
    category: z.enum(FINDING_CATEGORIES).nullable(),
    title: z.string(),
    detectors: z.array(z.object({ kind: z.string(), label: z.string() })).openapi({
      description: "Finding kinds that fired, in order of first appearance",
    }),
    findingCount: z.number().int(),
    openedAt: z.string(),
    lastFindingAt: z.string().openapi({ description: "The calm period counts from here" }),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    resolvedBy: z.string().nullable().openapi({ description: "`calm` when the calm period resolved it" }),
    window: RangeSchema.openapi({ description: "Event-time span of its findings' windows" }),
    range: RangeSchema.openapi({ description: "What a link to it opens: the window with context around it" }),
    impact: z
      .object({ deltaAuc: z.number(), error: z.number() })
      .nullable()
      .openapi({ description: "The worst predicted AUC drop among its findings, with its error" }),
  })
  .openapi("Incident");

const HistoryEntrySchema = z
  .object({
    at: z.string(),
    kind: z.enum([...INCIDENT_TRANSITIONS, "acknowledged"]),
    severity: z.enum(ALERT_SEVERITIES),
    by: z.string().optional(),
    note: z.string().optional(),
    alertId: publicIdSchema("alert", "The finding that opened or escalated it").optional(),
  })
  .openapi("IncidentHistoryEntry");

const NotificationSchema = z
  .object({
    transition: z.enum(INCIDENT_TRANSITIONS),
    channelId: publicIdSchema("alert-channel").nullable(),
    channelType: z.enum(CHANNEL_TYPES),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    httpStatus: z.number().int().nullable(),
    error: z.string().nullable(),
    at: z.string(),
  })
  .openapi("IncidentNotification");

export const IncidentDetailSchema = IncidentSchema.extend({
  howBad: z.array(z.string()).openapi({
    description:
      "How bad, one line per kind of evidence: PC1 shift in reference σ, flagged components, MMD², novelty, verification AUC, predicted AUC drop",
  }),
  history: z.array(HistoryEntrySchema),
  findings: z.array(AlertSchema).openapi({ description: "Oldest first; the latest 500 when there are more" }),
  notifications: z
    .array(NotificationSchema)
    .openapi({ description: "Each channel's outcome for each notified transition" }),
}).openapi("IncidentDetail");

export const IncidentPageSchema = z
  .object({ items: z.array(IncidentSchema), nextBefore: nextBeforeSchema("incident") })
  .openapi("IncidentPage");

export const IncidentQuerySchema = pagedRangeQuerySchema("incident").extend({
  stream: StreamNameSchema.optional().openapi({ param: { name: "stream", in: "query" } }),
  status: z
    .enum([...INCIDENT_STATUSES, "active"])
    .optional()
    .openapi({ description: "active: open or acknowledged" }),
  severity: z.enum(ALERT_SEVERITIES).optional().openapi({ description: "At least this severity" }),
  category: z.enum(FINDING_CATEGORIES).optional(),
});

export const IncidentNoteSchema = z.object({ note: z.string().max(1000).optional() }).openapi("IncidentNote");
