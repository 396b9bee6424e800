/**
 * @module
 * Slack incoming webhook: a Block Kit message (header, a fields section with the key numbers, a
 * context line, a button to the dashboard) and a plain `text` fallback, which Slack shows in
 * notifications and screen readers read.
 *
 * Limits from Block Kit's reference: header text ≤ 150 characters, a section ≤ 10 fields, a
 * button label ≤ 75 and its URL ≤ 3000. Slack answers 200 `ok`, a 4xx with a reason
 * (`invalid_payload`, `no_service`, `channel_is_archived`) or 429 with `Retry-After`.
 */
import type { SlackConfig } from "../config.ts";
import { describeNumbers, summaryLine } from "../format.ts";
import { sendHttp } from "../http.ts";
import type { AlertEvent, AlertSeverity, DeliverOptions, DeliveryReceipt } from "../types.ts";

const SEVERITY_EMOJI: Record<AlertSeverity, string> = {
  info: ":information_source:",
  warning: ":warning:",
  critical: ":rotating_light:",
};

export async function deliver(
  alert: AlertEvent,
  config: SlackConfig,
  options: DeliverOptions = {},
): Promise<DeliveryReceipt> {
  const body = JSON.stringify(slackMessage(alert));
  const result = await sendHttp(
    "slack",
    config.url,
    { headers: { "Content-Type": "application/json; charset=utf-8" }, body },
    options,
  );
  return { httpStatus: result.status };
}

/** The message body; exported so its shape can be checked and previewed. */
export function slackMessage(alert: AlertEvent) {
  const severity = alert.severity.toUpperCase();
  const fields = [
    { label: "Stream", value: alert.stream },
    { label: "Detector", value: alert.detector },
    { label: "Severity", value: severity },
    ...describeNumbers(alert.numbers),
  ].slice(0, 10);
  return {
    text: `${escapeMrkdwn(`${severity} ${alert.title} — ${summaryLine(alert)}`)} ${alert.dashboardUrl}`,
    blocks: [
      {
        type: "header",
        text: { type: "plain_text", text: truncate(`${severity}: ${alert.title}`, 150), emoji: true },
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
            text: `${SEVERITY_EMOJI[alert.severity]} Alert #${alert.id} · ${alert.window.from.toISOString()} – ${alert.window.to.toISOString()}`,
          },
        ],
      },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            text: { type: "plain_text", text: "Open in dashboard" },
            url: alert.dashboardUrl,
            style: alert.severity === "critical" ? "danger" : "primary",
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
