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

export const GITHUB_API_URL = "https://api.github.com";

/** GitHub caps label names at 50 characters; ours and the configured ones share that. */
const githubLabel = z.string().trim().min(1).max(50);

export const githubConfigSchema = z.object({
  type: z.literal("github"),
  /** The repository tickets are opened in, `owner/name`. */
  repository: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9_.-]{1,100}$/, "must be owner/name, e.g. acme/face-ops"),
  /**
   * A token allowed to read and write the repository's issues: a fine-grained personal access
   * token with "Issues: read and write", or a GitHub App installation token.
   */
  token: z.string().min(20, "must be a GitHub token (at least 20 characters)"),
  /** The REST API: api.github.com, or `https://<host>/api/v3` on GitHub Enterprise Server. */
  endpoint: httpUrl.default(GITHUB_API_URL),
  /** Added to every ticket besides Facedrift's own (`facedrift:<ticket>`, `severity:<level>`). */
  labels: z.array(githubLabel).max(10).default(["facedrift"]),
  assignees: z.array(z.string().trim().min(1).max(39)).max(10).default([]),
});

/** Jira labels are single words: no whitespace, at most 255 characters. */
const jiraLabel = z.string().regex(/^\S{1,255}$/, "must be one word (Jira labels cannot contain spaces)");

export const jiraConfigSchema = z.object({
  type: z.literal("jira"),
  /** The Jira Cloud site, `https://<site>.atlassian.net`. */
  url: httpUrl,
  /** The Atlassian account and its API token: Jira Cloud's REST API takes them as Basic auth. */
  email: z.email(),
  apiToken: z.string().min(1, "must be an Atlassian API token"),
  projectKey: z.string().regex(/^[A-Z][A-Z0-9_]{1,9}$/, "must be a project key such as DRIFT"),
  /** The issue type tickets are created as; it must exist in the project. */
  issueType: z.string().trim().min(1).default("Task"),
  labels: z.array(jiraLabel).max(10).default(["facedrift"]),
  /**
   * Jira priority names per severity, e.g. `{critical: "Highest", warning: "High"}`; a severity
   * without one sets none (not every project's screen has the priority field).
   */
  priorities: z
    .object({ info: z.string().min(1), warning: z.string().min(1), critical: z.string().min(1) })
    .partial()
    .default({}),
});

export const channelConfigSchema = z.discriminatedUnion("type", [
  webhookConfigSchema,
  slackConfigSchema,
  pagerDutyConfigSchema,
  emailConfigSchema,
  webPushConfigSchema,
  githubConfigSchema,
  jiraConfigSchema,
]);

export type WebhookConfig = z.infer<typeof webhookConfigSchema>;
export type SlackConfig = z.infer<typeof slackConfigSchema>;
export type PagerDutyConfig = z.infer<typeof pagerDutyConfigSchema>;
export type EmailConfig = z.infer<typeof emailConfigSchema>;
export type WebPushConfig = z.infer<typeof webPushConfigSchema>;
export type GithubConfig = z.infer<typeof githubConfigSchema>;
export type JiraConfig = z.infer<typeof jiraConfigSchema>;
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
 * PagerDuty key, the Slack URL whose path is the credential, the SMTP password, the GitHub and
 * Jira tokens) are masked.
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
    case "github":
      return { ...config, token: `${config.token.slice(0, 4)}${MASK}` };
    case "jira":
      return { ...config, apiToken: MASK };
  }
}

const MASK = "********";
