/**
 * @module
 * Channel configurations, validated at the edge (`POST /v1/alert-channels`) with zod so a 400
 * names the field (`url`, `secret`, `to[1]`). The union is discriminated on `type`; each channel's
 * `deliver` takes its own member.
 */
import { z } from "zod";

/** http(s) only: `file:`, `javascript:` or `ftp:` URLs must never reach `fetch`. */
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

export const webhookConfigSchema = z.object({
  type: z.literal("webhook"),
  url: httpUrl,
  /** 16 characters at least: the HMAC is only as strong as the secret. */
  secret: z.string().min(16, "must be at least 16 characters"),
});

export const slackConfigSchema = z.object({
  type: z.literal("slack"),
  /** A Slack incoming-webhook URL (`https://hooks.slack.com/services/…`). */
  url: httpUrl,
});

export const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

export const pagerDutyConfigSchema = z.object({
  type: z.literal("pagerduty"),
  /** The integration key of an Events API v2 integration: 32 characters. */
  routingKey: z.string().length(32, "must be the 32-character integration key"),
  endpoint: httpUrl.default(PAGERDUTY_EVENTS_URL),
});

export const emailConfigSchema = z.object({
  type: z.literal("email"),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  auth: z.object({ user: z.string().min(1), pass: z.string().min(1) }).optional(),
  from: z.email(),
  to: z.array(z.email()).min(1, "needs at least one recipient"),
});

export const webPushConfigSchema = z.object({
  type: z.literal("webpush"),
  /** The VAPID `sub` claim: how the push service reaches the operator (RFC 8292 §2.1). */
  subject: z.string().regex(/^(mailto:|https:\/\/)/, "must be a mailto: or https: URL"),
  /** How long the push service keeps an undelivered message (RFC 8030 §5.2). */
  ttlSeconds: z
    .number()
    .int()
    .min(0)
    .max(4 * 7 * 24 * 3600)
    .default(24 * 3600),
});

export const channelConfigSchema = z.discriminatedUnion("type", [
  webhookConfigSchema,
  slackConfigSchema,
  pagerDutyConfigSchema,
  emailConfigSchema,
  webPushConfigSchema,
]);

export type WebhookConfig = z.infer<typeof webhookConfigSchema>;
export type SlackConfig = z.infer<typeof slackConfigSchema>;
export type PagerDutyConfig = z.infer<typeof pagerDutyConfigSchema>;
export type EmailConfig = z.infer<typeof emailConfigSchema>;
export type WebPushConfig = z.infer<typeof webPushConfigSchema>;
export type ChannelConfig = z.infer<typeof channelConfigSchema>;
/** What a client sends: defaults not yet applied. */
export type ChannelConfigInput = z.input<typeof channelConfigSchema>;

/** The body of `POST /v1/alert-channels`. */
export const createChannelSchema = z.object({
  name: z.string().trim().min(1).max(100),
  enabled: z.boolean().default(true),
  config: channelConfigSchema,
});

/** A browser's `PushSubscription.toJSON()`, as the dashboard posts it. */
export const pushSubscriptionSchema = z.object({
  endpoint: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({
    /** The browser's P-256 public key, uncompressed point, base64url (65 bytes → 87 chars). */
    p256dh: z.string().regex(/^[A-Za-z0-9_-]{87}$/, "must be a base64url P-256 public key"),
    /** The 16-byte auth secret, base64url (22 chars). */
    auth: z.string().regex(/^[A-Za-z0-9_-]{22}$/, "must be a base64url 16-byte secret"),
  }),
});
export type PushSubscriptionInput = z.infer<typeof pushSubscriptionSchema>;

/**
 * A config safe to return from `GET /v1/alert-channels`: secrets (the webhook secret, the
 * PagerDuty key, the Slack URL whose path is the credential, the SMTP password) are masked.
 */
export function redactChannelConfig(config: ChannelConfig): ChannelConfig {
  switch (config.type) {
    case "webhook":
      return { ...config, secret: MASK };
    case "slack":
      return { ...config, url: `${new URL(config.url).origin}/${MASK}` };
    case "pagerduty":
      return { ...config, routingKey: `${config.routingKey.slice(0, 4)}${MASK}` };
    case "email":
      return config.auth ? { ...config, auth: { user: config.auth.user, pass: MASK } } : config;
    case "webpush":
      return config;
  }
}

const MASK = "********";
