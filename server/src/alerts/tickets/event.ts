/**
 * @module
 * What a ticket channel (GitHub Issues, Jira Cloud) is told: a change to one ticket, keyed.
 * Message channels send every alert; a tracker keeps one ticket per incident and changes it:
 * `opened` creates it, `escalated` comments and raises its severity, `resolved` comments and closes
 * it. Each change carries its own `changeKey`, so a retry, a replay or a second server sending the
 * same change finds it applied and does nothing (`sync.ts`).
 *
 * The ticket `key` is the incident it follows (`incident-<id>`, `from-notification.ts`); the
 * trackers know nothing of incidents, only of keys and changes.
 */
import type { AlertNumbers, AlertSeverity } from "../types.ts";

export const TICKET_TRANSITIONS = ["opened", "escalated", "resolved"] as const;
export type TicketTransition = (typeof TICKET_TRANSITIONS)[number];

export interface TicketEvent {
  /** The ticket's identity: `incident-<id>`. */
  key: string;
  transition: TicketTransition;
  /** This change's identity (the notification's key): applied once however often sent. */
  changeKey: string;
  tenantId: number;
  stream: string;
  /** The ticket's severity after this change. */
  severity: AlertSeverity;
  /** What it was before an escalation; null otherwise. */
  previousSeverity: AlertSeverity | null;
  /** The ticket's title, used when it is created (an escalation may create it if the opening never got through). */
  title: string;
  /** This change in one line: the finding that opened or escalated it, or how it was resolved. */
  summary: string;
  numbers: AlertNumbers;
  /** More lines for the ticket, label and value (the incident's detectors, category, impact). */
  facts: [string, string][];
  window: { from: Date; to: Date };
  dashboardUrl: string;
  at: Date;
}

export function changeKey(key: string, transition: TicketTransition, severity: AlertSeverity): string {
  return `${key}:${transition}:${severity}`;
}

const ORDER: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

/** The higher of two severities: a ticket never goes down on an update. */
export function worse(a: AlertSeverity, b: AlertSeverity): AlertSeverity {
  return ORDER[a] >= ORDER[b] ? a : b;
}
