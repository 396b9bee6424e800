import { z } from "@hono/zod-openapi";
import { CHANNEL_TYPES } from "../../../db/schema/alert-channel.ts";
import { publicIdSchema } from "../../public-ids.ts";

/**
 * The body of `POST /v1/alert-channels`: the channel's config flat, next to `name` and `enabled`.
 * Only `type` is checked here; the handler validates the rest with the alerts' own
 * `channelConfigSchema`, so the rules live in one place (`alerts/config.ts`).
 */
export const CreateChannelBodySchema = z
  .looseObject({
    type: z.enum(CHANNEL_TYPES),
    name: z.string().trim().min(1).max(100).optional(),
    enabled: z.boolean().optional(),
  })
  .openapi("CreateAlertChannelRequest", {
    description:
      "webhook: {url, secret (≥ 16 chars)}; slack: {url}; pagerduty: {routingKey, endpoint?}; " +
      "email: {host, port?, secure?, auth?, from, to[]}; webpush: {subject, ttlSeconds?}; " +
      "github: {repository (owner/name), token, endpoint?, labels?, assignees?}; " +
      "jira: {url, email, apiToken, projectKey, issueType?, labels?, priorities?}. " +
      "GitHub and Jira keep one ticket per incident: opened, escalated (comment), resolved (comment, closed).",
    example: { type: "webhook", name: "ops", url: "https://ops.example/hooks/facedrift", secret: "…" },
  });

export const AlertChannelSchema = z
  .object({
    id: publicIdSchema("alert-channel"),
    name: z.string(),
    type: z.enum(CHANNEL_TYPES),
    enabled: z.boolean(),
    config: z.record(z.string(), z.unknown()).openapi({ description: "Secrets masked" }),
    createdAt: z.string(),
  })
  .openapi("AlertChannel");

export const AlertChannelListSchema = z
  .object({ items: z.array(AlertChannelSchema) })
  .openapi("AlertChannels");

export const ChannelTestResultSchema = z
  .object({
    delivered: z.boolean(),
    attempts: z.number().int(),
    httpStatus: z.number().int().nullable(),
    error: z.string().nullable(),
    durationMs: z.number().int(),
  })
  .openapi("AlertChannelTestResult");
