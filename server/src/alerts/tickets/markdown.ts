/**
 * @module
 * A ticket change as GitHub-flavoured Markdown: what happened, the numbers (`describeNumbers`, as
 * every channel shows them), the time range and the dashboard link, then hidden markers (HTML
 * comments) naming the ticket and the change, which `hasChange` looks for on a retry.
 */
import { describeNumbers } from "../format.ts";
import type { TicketEvent } from "./event.ts";

/** Stream names and titles are user input: no HTML, no Markdown that could forge a marker. */
export function plain(text: string): string {
  return text.replace(/[<>&`*_[\]|\\]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function changeMarker(changeKey: string): string {
  return `<!-- facedrift:change=${changeKey} -->`;
}

const HEADING: Record<TicketEvent["transition"], string> = {
  opened: "Drift detected",
  escalated: "Escalated",
  resolved: "Resolved",
};

export function ticketMarkdown(event: TicketEvent): string {
  const severity =
    event.transition === "escalated" && event.previousSeverity
      ? `${event.previousSeverity} → **${event.severity}**`
      : `**${event.severity}**`;
  const rows = [
    ["Stream", plain(event.stream)],
    ["Severity", severity],
    ["Window", `${event.window.from.toISOString()} – ${event.window.to.toISOString()}`],
    ...event.facts.map(([label, value]) => [plain(label), plain(value)]),
    ...describeNumbers(event.numbers).map((line) => [plain(line.label), plain(line.value)]),
  ];
  return [
    `### ${HEADING[event.transition]}: ${plain(event.summary)}`,
    "",
    "| | |",
    "| --- | --- |",
    ...rows.map(([label, value]) => `| ${label} | ${value} |`),
    "",
    `[Open in the Facedrift dashboard](${event.dashboardUrl})`,
    "",
    `<!-- facedrift:ticket=${event.key} -->`,
    changeMarker(event.changeKey),
  ].join("\n");
}
