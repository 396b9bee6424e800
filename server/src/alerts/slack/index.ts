/**
 * @module
 * Slack incoming webhook: one Block Kit message per incident notification (opened, escalated,
 * resolved: a header saying which, a fields section with the incident's facts and the finding's
 * key numbers, a context line, a button to the dashboard) and a plain `text` fallback, which Slack
 * shows in notifications and screen readers read. Incoming webhooks cannot reply in a thread, so
 * every message names its incident (`Incident #12`) and the three read as one story.
 *
 * Limits from Block Kit's reference: header text ≤ 150 characters, a section ≤ 10 fields, a
 * button label ≤ 75 and its URL ≤ 3000. Slack answers 200 `ok`, a 4xx with a reason
 * (`invalid_payload`, `no_service`, `channel_is_archived`) or 429 with `Retry-After`.
 */
import type { SlackConfig } from "../config.ts";
import { describeNotification, headline, summaryLine } from "../format.ts";
import { sendHttp } from "../http.ts";
import type { AlertSeverity, DeliverOptions, DeliveryReceipt, IncidentNotification } from "../types.ts";

const SEVERITY_EMOJI: Record<AlertSeverity, string> = {
  info: ":information_source:",
  warning: ":warning:",
  critical: ":rotating_light:",
};

export async function deliver(
  notification: IncidentNotification,
  config: SlackConfig,
  options: DeliverOptions = {},
): Promise<DeliveryReceipt> {
  const body = JSON.stringify(slackMessage(notification));
  const result = await sendHttp(
    "slack",
    config.url,
    { headers: { "Content-Type": "application/json; charset=utf-8" }, body },
    options,
  );
  return { httpStatus: result.status };
}

/** The message body; exported so its shape can be checked and previewed. */
export function slackMessage(n: IncidentNotification) {
  const { incident } = n;
  const title = headline(n);
  const emoji = n.transition === "resolved" ? ":white_check_mark:" : SEVERITY_EMOJI[incident.severity];
  const fields = describeNotification(n).slice(0, 10);
  return {
    text: `${escapeMrkdwn(`${title} — ${summaryLine(n)}`)} ${n.dashboardUrl}`,
    blocks: [
      {
        type: "header",
        text: { type: "plain_text", text: truncate(title, 150), emoji: true },
      },
      {
        type: "section",
        fields: fields.map(({ label, value }) => ({
          type: "mrkdwn",
          text: truncate(`*${escapeMrkdwn(label)}*\n${escapeMrkdwn(value)}`, 2000),
        })),
      },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: `${emoji} Incident #${incident.id} · opened ${incident.openedAt.toISOString()} · event time ${incident.window.from.toISOString()} – ${incident.window.to.toISOString()}`,
          },
        ],
      },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            text: { type: "plain_text", text: "Open in dashboard" },
            url: n.dashboardUrl,
            style: incident.severity === "critical" && n.transition !== "resolved" ? "danger" : "primary",
            action_id: "open_dashboard",
          },
        ],
      },
    ],
  };
}

/** Slack's mrkdwn treats `&`, `<` and `>` as control characters; these three must be escaped. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
