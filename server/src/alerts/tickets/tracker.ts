/**
 * @module
 * What `sync.ts` needs from an issue tracker. GitHub (`../github/`) and Jira (`../jira/`) each
 * implement it over their REST APIs; every method is one or two requests, and none remembers
 * anything between calls: the tracker itself is the record of which ticket belongs to which key,
 * through a label only Facedrift sets (`facedrift:<key>` on GitHub, `facedrift-<key>` on Jira).
 */
import type { AlertSeverity } from "../types.ts";
import type { TicketEvent } from "./event.ts";

export interface Ticket {
  /** The tracker's id: an issue number on GitHub, an issue key (`DRIFT-12`) on Jira. */
  id: string;
  url: string;
  open: boolean;
}

export interface TicketTracker {
  /** The ticket carrying `key`'s label, open or closed; null when there is none. */
  find(key: string): Promise<Ticket | null>;
  /** A ticket by its id, as it is now; null when it is gone. */
  get(id: string): Promise<Ticket | null>;
  create(event: TicketEvent): Promise<Ticket>;
  /** Whether a comment on the ticket carries `changeKey`'s marker. */
  hasChange(ticket: Ticket, changeKey: string): Promise<boolean>;
  /** Adds a comment describing `event`, marked with its change key. */
  comment(ticket: Ticket, event: TicketEvent): Promise<void>;
  /** Sets the ticket's severity (label, priority). */
  setSeverity(ticket: Ticket, severity: AlertSeverity): Promise<void>;
  close(ticket: Ticket): Promise<void>;
}
