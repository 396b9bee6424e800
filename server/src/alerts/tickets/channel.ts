/**
 * @module
 * The ticket channels' entry from the dispatcher: the incident notification as a ticket change
 * (`from-notification.ts`), applied through GitHub or Jira.
 */
import type { GithubConfig, JiraConfig } from "../config.ts";
import * as github from "../github/index.ts";
import * as jira from "../jira/index.ts";
import type { DeliverOptions, DeliveryReceipt, IncidentNotification } from "../types.ts";
import type { TicketEvent } from "./event.ts";
import { ticketEventFromNotification } from "./from-notification.ts";

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

export function deliverNotificationAsTicket(
  notification: IncidentNotification,
  config: TicketChannelConfig,
  options: DeliverOptions,
): Promise<DeliveryReceipt> {
  return deliverTicketChange(ticketEventFromNotification(notification), config, options);
}

/** The channel test: credentials and the repository or project, without opening a ticket. */
export function probeTracker(config: TicketChannelConfig, options: DeliverOptions): Promise<string> {
  return config.type === "github"
    ? new github.GithubTracker(config, options).probe()
    : new jira.JiraTracker(config, options).probe();
}
