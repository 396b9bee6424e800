/**
 * @module
 * The step every ticket channel's `deliver` shares: run `syncTicket` and remember, in this
 * process, which creates went out without an answer (a timeout, a reset connection). The next
 * attempt for that ticket then waits for the tracker's search to show the ticket before creating
 * another: the dispatcher retries a timed-out attempt, and GitHub or Jira may well have created
 * the issue before the answer was lost. A create the tracker refused (it answered) is certain.
 * It also remembers the tickets it made, so a change that follows at once (a replay, an
 * escalation) finds its ticket while the tracker's search has not caught up.
 */
import { DeliveryError } from "../delivery-error.ts";
import type { DeliveryReceipt } from "../types.ts";
import type { TicketEvent } from "./event.ts";
import { type SyncOptions, syncTicket } from "./sync.ts";
import type { Ticket, TicketTracker } from "./tracker.ts";

/** `<channel scope>|<ticket key>` → when its unanswered create was sent. */
const unanswered = new Map<string, number>();
/** An answer lost longer ago than this no longer delays a create: the search has caught up. */
const FORGET_MS = 3_600_000;
/** `<channel scope>|<ticket key>` → the ticket made for it here; the oldest go first. */
const made = new Map<string, Ticket>();
const MAX_MADE = 10_000;

export async function deliverTicket(
  event: TicketEvent,
  tracker: TicketTracker,
  /** Which tracker: the repository or the Jira site and project. */
  scope: string,
  options: Pick<SyncOptions, "settleMs" | "pollMs" | "sleep"> = {},
): Promise<DeliveryReceipt> {
  const id = `${scope}|${event.key}`;
  const now = Date.now();
  for (const [key, at] of unanswered) if (now - at > FORGET_MS) unanswered.delete(key);
  let creating = false;
  try {
    const { ticket, actions } = await syncTicket(event, tracker, {
      ...options,
      ...(made.has(id) ? { known: made.get(id) as Ticket } : {}),
      uncertainCreate: unanswered.has(id),
      onCreate: (phase) => {
        creating = phase === "sending";
        if (creating) unanswered.set(id, Date.now());
        else unanswered.delete(id);
      },
    });
    // Found or created: either way the tracker now shows it.
    unanswered.delete(id);
    if (ticket && actions.includes("created")) {
      made.set(id, ticket);
      if (made.size > MAX_MADE) made.delete(made.keys().next().value as string);
    }
    return { detail: ticket ? `${ticket.url}: ${actions.join(", ")}` : actions.join(", ") };
  } catch (error) {
    // The tracker answered the create: what it refused did not happen.
    if (creating && error instanceof DeliveryError && error.httpStatus !== undefined) unanswered.delete(id);
    throw error;
  }
}
