/**
 * Test-only: a GitHub REST API (2022-11-28) for one repository on 127.0.0.1, speaking GitHub's
 * shapes for what Facedrift uses — repository, issues (list by label, create, get, update),
 * comments — with its authentication (Bearer token, User-Agent required), its validation errors
 * (422 `Validation Failed` with `errors[]`), its 404 for what the token cannot see, and its rate
 * limiting (primary: 403 with `x-ratelimit-remaining: 0` and a reset time; secondary: 429 with
 * `retry-after`). Faults are scripted: refuse the next requests, or create an issue and drop the
 * connection before answering (a lost answer, `script.dropCreateAnswers`).
 */
import type { ServerResponse } from "node:http";
import { type Peer, type ReceivedRequest, startPeer } from "./peer.ts";

export interface GithubIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  assignees: string[];
  state: "open" | "closed";
  state_reason: string | null;
  comments: { id: number; body: string }[];
}

export type GithubFault =
  | { kind: "primary-rate-limit" }
  | { kind: "secondary-rate-limit"; retryAfterSeconds: number }
  | { kind: "status"; status: number; message: string };

export interface GithubPeer extends Peer {
  /** The API base to configure as the channel's `endpoint`. */
  endpoint: string;
  issues: GithubIssue[];
  /** Applied to the next requests, in order. */
  faults: GithubFault[];
  /** How many of the next creates succeed without their answer arriving. */
  script: { dropCreateAnswers: number };
  hasIssues: boolean;
}

const DOCS = "https://docs.github.com/rest";

export async function startGithubPeer(options: { repository: string; token: string }): Promise<GithubPeer> {
  const issues: GithubIssue[] = [];
  const faults: GithubFault[] = [];
  let commentId = 1000;
  let remaining = 5000;
  const state = { hasIssues: true };
  const script = { dropCreateAnswers: 0 };
  const prefix = `/repos/${options.repository}`;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "x-github-api-version-selected": "2022-11-28",
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": String(remaining),
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      "x-ratelimit-resource": "core",
      ...headers,
    });
    res.end(body === undefined ? "" : JSON.stringify(body));
  };
  const view = (issue: GithubIssue, url: string) => ({
    number: issue.number,
    html_url: `${url}/${options.repository}/issues/${issue.number}`,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    state_reason: issue.state_reason,
    labels: issue.labels.map((name) => ({ name })),
    assignees: issue.assignees.map((login) => ({ login })),
  });
  const invalid = (res: ServerResponse, field: string, code = "invalid") =>
    send(res, 422, {
      message: "Validation Failed",
      errors: [{ resource: "Issue", code, field }],
      documentation_url: `${DOCS}/issues/issues#create-an-issue`,
    });

  const handle = (req: ReceivedRequest, res: ServerResponse, url: string) => {
    remaining = Math.max(0, remaining - 1);
    if (!req.headers["user-agent"]) {
      return send(res, 403, {
        message:
          "Request forbidden by administrative rules. Please make sure your request has a User-Agent header",
      });
    }
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      return send(res, 401, { message: "Bad credentials", documentation_url: DOCS });
    }
    const version = req.headers["x-github-api-version"];
    if (version !== undefined && version !== "2022-11-28") {
      return send(res, 400, { message: `Invalid API version: ${version}` });
    }
    const fault = faults.shift();
    if (fault?.kind === "primary-rate-limit") {
      return send(
        res,
        403,
        { message: "API rate limit exceeded for user ID 1.", documentation_url: DOCS },
        { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 1) },
      );
    }
    if (fault?.kind === "secondary-rate-limit") {
      return send(
        res,
        429,
        {
          message:
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        },
        { "retry-after": String(fault.retryAfterSeconds) },
      );
    }
    if (fault?.kind === "status") return send(res, fault.status, { message: fault.message });

    const [path = "", search = ""] = req.path.split("?");
    const query = new URLSearchParams(search);
    // GitHub answers 404, not 403, for a repository the token cannot see.
    if (!path.startsWith(prefix)) return send(res, 404, { message: "Not Found", documentation_url: DOCS });
    const rest = path.slice(prefix.length);
    let body: Record<string, unknown> = {};
    if (req.body.length > 0) {
      try {
        body = JSON.parse(req.body.toString("utf8"));
      } catch {
        return send(res, 400, { message: "Problems parsing JSON" });
      }
    }
    if (rest === "" && req.method === "GET") {
      return send(res, 200, { full_name: options.repository, has_issues: state.hasIssues, private: true });
    }
    if (!state.hasIssues && rest.startsWith("/issues")) {
      return send(res, 410, { message: "Issues are disabled for this repo" });
    }
    if (rest === "/issues" && req.method === "GET") {
      const wanted = (query.get("labels") ?? "").split(",").filter(Boolean);
      const which = query.get("state") ?? "open";
      const found = issues
        .filter((i) => wanted.every((l) => i.labels.includes(l)))
        .filter((i) => which === "all" || i.state === which)
        .sort((a, b) => b.number - a.number)
        .slice(0, Number(query.get("per_page") ?? 30));
      return send(
        res,
        200,
        found.map((i) => view(i, url)),
      );
    }
    if (rest === "/issues" && req.method === "POST") {
      if (typeof body.title !== "string" || body.title === "") return invalid(res, "title", "missing_field");
      if (body.title.length > 256) return invalid(res, "title");
      const labels = (body.labels ?? []) as unknown[];
      if (!Array.isArray(labels) || labels.some((l) => typeof l !== "string" || l.length > 50 || l === ""))
        return invalid(res, "labels");
      const issue: GithubIssue = {
        number: issues.length + 1,
        title: body.title,
        body: typeof body.body === "string" ? body.body : "",
        labels: labels as string[],
        assignees: (body.assignees ?? []) as string[],
        state: "open",
        state_reason: null,
        comments: [],
      };
      issues.push(issue);
      // Created, and the answer lost: the connection drops before a byte of it is sent.
      if (script.dropCreateAnswers > 0) {
        script.dropCreateAnswers--;
        return res.socket?.destroy();
      }
      return send(res, 201, view(issue, url));
    }
    const match = /^\/issues\/(\d+)(\/comments)?$/.exec(rest);
    const issue = match ? issues.find((i) => i.number === Number(match[1])) : undefined;
    if (!match || !issue) return send(res, 404, { message: "Not Found", documentation_url: DOCS });
    if (match[2] && req.method === "GET") {
      const perPage = Number(query.get("per_page") ?? 30);
      const page = Number(query.get("page") ?? 1);
      return send(res, 200, issue.comments.slice((page - 1) * perPage, page * perPage));
    }
    if (match[2] && req.method === "POST") {
      if (typeof body.body !== "string" || body.body === "") return invalid(res, "body", "missing_field");
      const comment = { id: commentId++, body: body.body };
      issue.comments.push(comment);
      return send(res, 201, comment);
    }
    if (req.method === "GET") return send(res, 200, view(issue, url));
    if (req.method === "PATCH") {
      if (body.state !== undefined) {
        if (body.state !== "open" && body.state !== "closed") return invalid(res, "state");
        issue.state = body.state;
        issue.state_reason = typeof body.state_reason === "string" ? body.state_reason : null;
      }
      if (body.labels !== undefined) issue.labels = body.labels as string[];
      return send(res, 200, view(issue, url));
    }
    return send(res, 404, { message: "Not Found" });
  };

  let base = "";
  const peer = await startPeer((req, res) => handle(req, res, base));
  base = peer.url;
  return {
    url: peer.url,
    requests: peer.requests,
    close: peer.close,
    endpoint: peer.url,
    issues,
    faults,
    script,
    get hasIssues() {
      return state.hasIssues;
    },
    set hasIssues(value: boolean) {
      state.hasIssues = value;
    },
  };
}
