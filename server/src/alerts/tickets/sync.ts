/**
 * @module
 * Applies one `TicketEvent` to a tracker so that applying it again changes nothing: every step
 * looks before it acts. That is what makes the dispatcher's retries safe: an attempt that timed
 * out after GitHub created the issue is retried, finds the issue by its key's label and goes on
 * from there instead of opening a second one.
 *
 * - opened: create the ticket unless one has the key (a retry or a replay).
 * - escalated: find or create the ticket (the opening may never have got through), comment once
 *   (the comment's marker is the change key), raise its severity.
 * - resolved: comment once and close; with no ticket there is nothing to resolve.
 *
 * A tracker's search may lag behind its writes (Jira's issue search is eventually consistent): a
 * ticket this process created is read by its id when the search does not show it yet (`known`),
 * and when a create's answer was lost, `find` is asked again for `settleMs` before creating anew.
 */
import type { TicketEvent } from "./event.ts";
import type { Ticket, TicketTracker } from "./tracker.ts";

export interface SyncResult {
  ticket: Ticket | null;
  /** What this call did, for the delivery log: `created`, `commented`, `closed`, `unchanged`… */
  actions: string[];
}

export interface SyncOptions {
  /** The ticket this process made for the key before: a search may not show it yet. */
  known?: Ticket;
  /** A create for this key may have succeeded unseen (its answer was lost): wait for `find`. */
  uncertainCreate?: boolean;
  settleMs?: number;
  pollMs?: number;
  /** Called when a create is about to be sent and when its answer came back. */
  onCreate?: (phase: "sending" | "confirmed") => void;
  sleep?: (ms: number) => Promise<void>;
}

export async function syncTicket(
  event: TicketEvent,
  tracker: TicketTracker,
  options: SyncOptions = {},
): Promise<SyncResult> {
  const actions: string[] = [];
  let ticket = await findSettled(event.key, tracker, options);
  if (event.transition === "resolved") {
    if (!ticket) return { ticket: null, actions: ["no ticket to resolve"] };
    if (!(await tracker.hasChange(ticket, event.changeKey))) {
      await tracker.comment(ticket, event);
      actions.push("commented");
    }
    if (ticket.open) {
      await tracker.close(ticket);
      ticket = { ...ticket, open: false };
      actions.push("closed");
    }
    return { ticket, actions: actions.length > 0 ? actions : ["unchanged"] };
  }
  if (!ticket) {
    options.onCreate?.("sending");
    ticket = await tracker.create(event);
    options.onCreate?.("confirmed");
    actions.push("created");
    // A new ticket is created at the event's severity and describes it: nothing more to add.
    return { ticket, actions };
  }
  if (event.transition === "escalated") {
    if (!(await tracker.hasChange(ticket, event.changeKey))) {
      await tracker.comment(ticket, event);
      actions.push("commented");
    }
    await tracker.setSeverity(ticket, event.severity);
    actions.push(`severity ${event.severity}`);
  }
  return { ticket, actions: actions.length > 0 ? actions : ["unchanged"] };
}

async function findSettled(
  key: string,
  tracker: TicketTracker,
  options: SyncOptions,
): Promise<Ticket | null> {
  const found = await tracker.find(key);
  if (found) return found;
  if (options.known) {
    const known = await tracker.get(options.known.id);
    if (known) return known;
  }
  if (!options.uncertainCreate) return null;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const settleMs = options.settleMs ?? 10_000;
  const pollMs = options.pollMs ?? 1_000;
  for (let waited = 0; waited < settleMs; waited += pollMs) {
    await sleep(pollMs);
    const later = await tracker.find(key);
    if (later) return later;
  }
  return null;
}
