/**
 * @module
 * The ticket channels' entry from the dispatcher: turn the alert into a ticket change
 * (`from-alert.ts`) and apply it through GitHub or Jira. An alert that changes no ticket (a
 * streaming alert) is delivered as "nothing to do", with the reason in the receipt.
 */
import type { GithubConfig, JiraConfig } from "../config.ts";
import * as github from "../github/index.ts";
import * as jira from "../jira/index.ts";
import type { AlertEvent, DeliverOptions, DeliveryReceipt } from "../types.ts";
import type { TicketEvent } from "./event.ts";
import { type TicketLookup, ticketEventFromAlert } from "./from-alert.ts";

export type TicketChannelConfig = GithubConfig | JiraConfig;

export function deliverTicketChange(
  event: TicketEvent,
  config: TicketChannelConfig,
  options: DeliverOptions,
): Promise<DeliveryReceipt> {
  return config.type === "github"
    ? github.deliverTicketChange(event, config, options)
    : jira.deliverTicketChange(event, config, options);
}

export async function deliverAlertAsTicket(
  alert: AlertEvent,
  config: TicketChannelConfig,
  lookup: TicketLookup | undefined,
  options: DeliverOptions,
): Promise<DeliveryReceipt> {
  const event = await ticketEventFromAlert(alert, lookup);
  if ("skip" in event) return { detail: event.skip };
  return deliverTicketChange(event, config, options);
}

/** The channel test: credentials and the repository or project, without opening a ticket. */
export function probeTracker(config: TicketChannelConfig, options: DeliverOptions): Promise<string> {
  return config.type === "github"
    ? new github.GithubTracker(config, options).probe()
    : new jira.JiraTracker(config, options).probe();
}
