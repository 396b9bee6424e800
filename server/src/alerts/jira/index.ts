/**
 * @module
 * Jira Cloud as a ticket channel: one issue per incident (`tickets/`) in the configured project,
 * found again by the label `facedrift-<key>` through JQL, escalations and resolutions as comments,
 * the severity as a `severity-<level>` label and, where configured, the issue's priority;
 * resolution moves it along the first transition into a "done" status category. REST API v3
 * (descriptions and comments in ADF, `adf.ts`), the account's e-mail and API token as Basic auth.
 *
 * Jira's issue search (`POST /rest/api/3/search/jql`) is eventually consistent: an issue created a
 * moment ago may not be found yet. `tickets/deliver.ts` covers the one case where that matters, a
 * create whose answer was lost. Jira answers 429 with `Retry-After` when throttled.
 */
import type { JiraConfig } from "../config.ts";
import { DeliveryError } from "../delivery-error.ts";
import { sendHttp } from "../http.ts";
import { deliverTicket } from "../tickets/deliver.ts";
import type { TicketEvent } from "../tickets/event.ts";
import type { Ticket, TicketTracker } from "../tickets/tracker.ts";
import type { AlertSeverity, DeliverOptions, DeliveryReceipt } from "../types.ts";
import { changeLine, ticketDocument } from "./adf.ts";

const MAX_COMMENT_PAGES = 20;

export const keyLabel = (key: string) => `facedrift-${key}`;
export const severityLabel = (severity: AlertSeverity) => `severity-${severity}`;
const SEVERITY_LABELS = (["info", "warning", "critical"] as const).map(severityLabel);

interface SearchResult {
  issues: { key: string; fields: { status?: { statusCategory?: { key?: string } } } }[];
}
interface Transition {
  id: string;
  name: string;
  to?: { statusCategory?: { key?: string } };
}

export class JiraTracker implements TicketTracker {
  readonly #site: string;

  constructor(
    private readonly config: JiraConfig,
    private readonly options: DeliverOptions = {},
  ) {
    this.#site = config.url.replace(/\/+$/, "");
  }

  async find(key: string): Promise<Ticket | null> {
    const jql = `project = "${this.config.projectKey}" AND labels = "${keyLabel(key)}" ORDER BY created ASC`;
    const result = await this.#request<SearchResult>("POST", "/search/jql", {
      jql,
      fields: ["status"],
      maxResults: 1,
    });
    const [issue] = result.issues;
    return issue ? this.#ticket(issue.key, issue.fields.status?.statusCategory?.key !== "done") : null;
  }

  async get(id: string): Promise<Ticket | null> {
    const issue = await this.#request<SearchResult["issues"][number]>(
      "GET",
      `/issue/${id}?fields=status`,
    ).catch((error: unknown) => {
      if (error instanceof DeliveryError && error.httpStatus === 404) return null;
      throw error;
    });
    return issue ? this.#ticket(issue.key, issue.fields.status?.statusCategory?.key !== "done") : null;
  }

  async create(event: TicketEvent): Promise<Ticket> {
    const priority = this.#priority(event.severity);
    const created = await this.#request<{ key: string }>("POST", "/issue", {
      fields: {
        project: { key: this.config.projectKey },
        issuetype: { name: this.config.issueType ?? "Task" },
        // Jira caps the summary at 255 characters.
        summary: `[Facedrift] ${event.title}`.slice(0, 255),
        description: ticketDocument(event),
        labels: [
          ...new Set([...(this.config.labels ?? []), keyLabel(event.key), severityLabel(event.severity)]),
        ],
        ...(priority ? { priority: { name: priority } } : {}),
      },
    });
    return this.#ticket(created.key, true);
  }

  async hasChange(ticket: Ticket, changeKey: string): Promise<boolean> {
    const line = JSON.stringify(changeLine(changeKey));
    for (let page = 0; page < MAX_COMMENT_PAGES; page++) {
      const result = await this.#request<{ comments: { body?: unknown }[]; total: number }>(
        "GET",
        `/issue/${ticket.id}/comment?startAt=${page * 100}&maxResults=100`,
      );
      if (result.comments.some((c) => JSON.stringify(c.body ?? null).includes(line))) return true;
      if ((page + 1) * 100 >= result.total || result.comments.length === 0) return false;
    }
    return false;
  }

  async comment(ticket: Ticket, event: TicketEvent): Promise<void> {
    await this.#request("POST", `/issue/${ticket.id}/comment`, { body: ticketDocument(event) });
  }

  async setSeverity(ticket: Ticket, severity: AlertSeverity): Promise<void> {
    const priority = this.#priority(severity);
    await this.#request("PUT", `/issue/${ticket.id}`, {
      update: {
        labels: [
          ...SEVERITY_LABELS.filter((l) => l !== severityLabel(severity)).map((remove) => ({ remove })),
          { add: severityLabel(severity) },
        ],
      },
      ...(priority ? { fields: { priority: { name: priority } } } : {}),
    });
  }

  async close(ticket: Ticket): Promise<void> {
    const { transitions } = await this.#request<{ transitions: Transition[] }>(
      "GET",
      `/issue/${ticket.id}/transitions`,
    );
    const done = transitions.find((t) => t.to?.statusCategory?.key === "done");
    if (!done) {
      throw new DeliveryError(
        "jira",
        `jira: ${ticket.id} has no transition into a done status (available: ${transitions.map((t) => t.name).join(", ") || "none"})`,
        { retryable: false },
      );
    }
    await this.#request("POST", `/issue/${ticket.id}/transitions`, { transition: { id: done.id } });
  }

  /** A credentials, project and issue-type check for the channel test: no issue is created. */
  async probe(): Promise<string> {
    const me = await this.#request<{ emailAddress?: string; displayName?: string }>("GET", "/myself");
    const project = await this.#request<{ key: string; issueTypes?: { name: string }[] }>(
      "GET",
      `/project/${encodeURIComponent(this.config.projectKey)}`,
    );
    const issueType = this.config.issueType ?? "Task";
    const types = (project.issueTypes ?? []).map((t) => t.name);
    if (!types.includes(issueType)) {
      throw new DeliveryError(
        "jira",
        `jira: project ${project.key} has no issue type "${issueType}" (it has ${types.join(", ") || "none"})`,
        { retryable: false },
      );
    }
    return `${project.key}: ${issueType} issues, as ${me.displayName ?? me.emailAddress ?? "the token's account"}`;
  }

  #priority(severity: AlertSeverity): string | undefined {
    return this.config.priorities?.[severity];
  }

  #ticket(key: string, open: boolean): Ticket {
    return { id: key, url: `${this.#site}/browse/${key}`, open };
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const credentials = Buffer.from(`${this.config.email}:${this.config.apiToken}`).toString("base64");
    const result = await sendHttp(
      "jira",
      `${this.#site}/rest/api/3${path}`,
      {
        method,
        headers: {
          Authorization: `Basic ${credentials}`,
          Accept: "application/json",
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      this.options,
    );
    if (result.body === "") return undefined as T;
    try {
      return JSON.parse(result.body) as T;
    } catch {
      throw new DeliveryError("jira", `jira: ${method} ${path} answered ${result.status} with no JSON`, {
        retryable: true,
        httpStatus: result.status,
      });
    }
  }
}

export function deliverTicketChange(
  event: TicketEvent,
  config: JiraConfig,
  options: DeliverOptions = {},
): Promise<DeliveryReceipt> {
  const scope = `jira:${config.url}/${config.projectKey}`;
  return deliverTicket(event, new JiraTracker(config, options), scope);
}
