/**
 * @module
 * A ticket change in the Atlassian Document Format, which Jira Cloud's REST API v3 wants for
 * descriptions and comments (plain strings are refused). ADF has no hidden text, so the change's
 * marker is a last, visible line: `Facedrift change <key>`.
 */
import { describeNumbers } from "../format.ts";
import type { TicketEvent } from "../tickets/event.ts";

type Inline = { type: "text"; text: string; marks?: { type: string; attrs?: Record<string, string> }[] };
type Block = Record<string, unknown>;

const text = (value: string, marks?: Inline["marks"]): Inline => ({
  type: "text",
  text: value,
  ...(marks ? { marks } : {}),
});
const paragraph = (...content: Inline[]): Block => ({ type: "paragraph", content });

export function changeLine(changeKey: string): string {
  return `Facedrift change ${changeKey}`;
}

const HEADING: Record<TicketEvent["transition"], string> = {
  opened: "Drift detected",
  escalated: "Escalated",
  resolved: "Resolved",
};

export function ticketDocument(event: TicketEvent): Block {
  const severity =
    event.transition === "escalated" && event.previousSeverity
      ? `${event.previousSeverity} → ${event.severity}`
      : event.severity;
  const items: [string, string][] = [
    ["Stream", event.stream],
    ["Severity", severity],
    ["Window", `${event.window.from.toISOString()} – ${event.window.to.toISOString()}`],
    ...event.facts,
    ...describeNumbers(event.numbers).map((line): [string, string] => [line.label, line.value]),
  ];
  return {
    type: "doc",
    version: 1,
    content: [
      {
        type: "heading",
        attrs: { level: 3 },
        content: [text(`${HEADING[event.transition]}: ${event.summary}`)],
      },
      {
        type: "bulletList",
        content: items.map(([label, value]) => ({
          type: "listItem",
          content: [paragraph(text(`${label}: `, [{ type: "strong" }]), text(value))],
        })),
      },
      paragraph(
        text("Open in the Facedrift dashboard", [{ type: "link", attrs: { href: event.dashboardUrl } }]),
      ),
      paragraph(text(changeLine(event.changeKey), [{ type: "em" }])),
    ],
  };
}
