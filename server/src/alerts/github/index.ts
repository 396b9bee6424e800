/**
 * @module
 * GitHub Issues as a ticket channel: one issue per incident (`tickets/`), found again by the label
 * `facedrift:<key>`, escalations and resolutions as comments, the severity as a `severity:<level>`
 * label, resolution closing it as completed. REST API 2022-11-28, a token with "Issues: read and
 * write" as Bearer.
 *
 * Listing a repository's issues by label reads GitHub's database, not its search index, so a retry
 * finds an issue created a moment before. GitHub refuses too many requests with 403 or 429: with
 * `retry-after` (secondary limits), or `x-ratelimit-remaining: 0` and the reset time (the
 * primary limit); those are waits, while a 403 without them is a permission refusal.
 */
import { createHash } from "node:crypto";
import type { GithubConfig } from "../config.ts";
import { GITHUB_API_URL } from "../config.ts";
import { DeliveryError, parseRetryAfter } from "../delivery-error.ts";
import { type RefusalVerdict, sendHttp } from "../http.ts";
import { deliverTicket } from "../tickets/deliver.ts";
import type { TicketEvent } from "../tickets/event.ts";
import { changeMarker, ticketMarkdown } from "../tickets/markdown.ts";
import type { Ticket, TicketTracker } from "../tickets/tracker.ts";
import type { AlertSeverity, DeliverOptions, DeliveryReceipt } from "../types.ts";

export const GITHUB_API_VERSION = "2022-11-28";
/** Pages of 100 comments read when looking for a change's marker. */
const MAX_COMMENT_PAGES = 20;

/** The label that ties an issue to a ticket key; GitHub caps labels at 50 characters. */
export function keyLabel(key: string): string {
  const label = `facedrift:${key}`;
  return label.length <= 50
    ? label
    : `facedrift:${createHash("sha256").update(key).digest("hex").slice(0, 40)}`;
}

export const severityLabel = (severity: AlertSeverity) => `severity:${severity}`;

/** See the module comment: which refusals are rate limits. */
export const githubVerdict: RefusalVerdict = (response, body) => {
  if (response.status !== 403 && response.status !== 429) return undefined;
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
  if (retryAfterMs !== undefined) return { retryable: true, retryAfterMs };
  if (response.headers.get("x-ratelimit-remaining") === "0") {
    const reset = Number(response.headers.get("x-ratelimit-reset"));
    return {
      retryable: true,
      retryAfterMs: Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - Date.now()) : 60_000,
    };
  }
  // GitHub's advice for a secondary limit without headers: wait at least a minute.
  if (/rate limit/i.test(body)) return { retryable: true, retryAfterMs: 60_000 };
  return response.status === 429 ? { retryable: true } : { retryable: false };
};

interface Issue {
  number: number;
  html_url: string;
  state: "open" | "closed";
  labels: ({ name: string } | string)[];
  pull_request?: unknown;
}

export class GithubTracker implements TicketTracker {
  readonly #base: string;

  constructor(
    private readonly config: GithubConfig,
    private readonly options: DeliverOptions = {},
  ) {
    this.#base = `${(config.endpoint ?? GITHUB_API_URL).replace(/\/+$/, "")}/repos/${config.repository}`;
  }

  async find(key: string): Promise<Ticket | null> {
    const query = new URLSearchParams({ labels: keyLabel(key), state: "all", per_page: "10" });
    const issues = await this.#request<Issue[]>("GET", `/issues?${query}`);
    // The issues list includes pull requests; a label on one is not our ticket.
    const issue = issues.filter((i) => !i.pull_request).sort((a, b) => a.number - b.number)[0];
    return issue ? ticketOf(issue) : null;
  }

  async get(id: string): Promise<Ticket | null> {
    const issue = await this.#request<Issue>("GET", `/issues/${id}`).catch((error: unknown) => {
      if (error instanceof DeliveryError && (error.httpStatus === 404 || error.httpStatus === 410))
        return null;
      throw error;
    });
    return issue ? ticketOf(issue) : null;
  }

  async create(event: TicketEvent): Promise<Ticket> {
    const issue = await this.#request<Issue>("POST", "/issues", {
      title: `[Facedrift] ${event.title}`.slice(0, 256),
      body: ticketMarkdown(event),
      labels: [
        ...new Set([...(this.config.labels ?? []), keyLabel(event.key), severityLabel(event.severity)]),
      ],
      ...(this.config.assignees?.length ? { assignees: this.config.assignees } : {}),
    });
    return ticketOf(issue);
  }

  async hasChange(ticket: Ticket, changeKey: string): Promise<boolean> {
    const marker = changeMarker(changeKey);
    for (let page = 1; page <= MAX_COMMENT_PAGES; page++) {
      const comments = await this.#request<{ body?: string }[]>(
        "GET",
        `/issues/${ticket.id}/comments?per_page=100&page=${page}`,
      );
      if (comments.some((c) => c.body?.includes(marker))) return true;
      if (comments.length < 100) return false;
    }
    return false;
  }

  async comment(ticket: Ticket, event: TicketEvent): Promise<void> {
    await this.#request("POST", `/issues/${ticket.id}/comments`, { body: ticketMarkdown(event) });
  }

  async setSeverity(ticket: Ticket, severity: AlertSeverity): Promise<void> {
    const issue = await this.#request<Issue>("GET", `/issues/${ticket.id}`);
    const names = issue.labels.map((l) => (typeof l === "string" ? l : l.name));
    const wanted = [...names.filter((n) => !n.startsWith("severity:")), severityLabel(severity)];
    if (wanted.length === names.length && wanted.every((n) => names.includes(n))) return;
    // Replaces the issue's labels: everyone else's are kept, only ours change.
    await this.#request("PATCH", `/issues/${ticket.id}`, { labels: wanted });
  }

  async close(ticket: Ticket): Promise<void> {
    await this.#request("PATCH", `/issues/${ticket.id}`, { state: "closed", state_reason: "completed" });
  }

  /** A credentials and repository check for the channel test: no issue is created. */
  async probe(): Promise<string> {
    const repo = await this.#request<{ full_name: string; has_issues: boolean }>("GET", "");
    if (!repo.has_issues) {
      throw new DeliveryError("github", `github: issues are disabled on ${repo.full_name}`, {
        retryable: false,
      });
    }
    return `${repo.full_name}: issues enabled, token accepted`;
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const result = await sendHttp(
      "github",
      `${this.#base}${path}`,
      {
        method,
        headers: {
          Authorization: `Bearer ${this.config.token}`,
          Accept: "application/vnd.github+json",
          "X-GitHub-Api-Version": GITHUB_API_VERSION,
          // GitHub refuses requests without a User-Agent.
          "User-Agent": "Facedrift",
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      this.options,
      githubVerdict,
    );
    try {
      return (result.body === "" ? undefined : JSON.parse(result.body)) as T;
    } catch {
      throw new DeliveryError("github", `github: ${method} ${path} answered ${result.status} with no JSON`, {
        retryable: true,
        httpStatus: result.status,
      });
    }
  }
}

function ticketOf(issue: Issue): Ticket {
  return { id: String(issue.number), url: issue.html_url, open: issue.state === "open" };
}

export function deliverTicketChange(
  event: TicketEvent,
  config: GithubConfig,
  options: DeliverOptions = {},
): Promise<DeliveryReceipt> {
  const scope = `github:${config.endpoint ?? GITHUB_API_URL}/${config.repository}`;
  return deliverTicket(event, new GithubTracker(config, options), scope);
}
