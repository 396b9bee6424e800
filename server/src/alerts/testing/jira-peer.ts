/**
 * Test-only: a Jira Cloud site (REST API v3) on 127.0.0.1 with one project, speaking Jira's shapes
 * for what Facedrift uses — JQL search (`POST /rest/api/3/search/jql`), issue create and edit,
 * comments, transitions, `myself`, the project — with Basic auth (e-mail and API token), ADF
 * required for descriptions and comments, Jira's 400 body (`errorMessages` and `errors` by field),
 * and 429 with `Retry-After` when throttled. Its search is eventually consistent like Jira's: an
 * issue shows up `indexLagMs` after it was created. Faults are scripted per request.
 */
import type { ServerResponse } from "node:http";
import { type Peer, type ReceivedRequest, startPeer } from "./peer.ts";

export interface JiraIssue {
  id: string;
  key: string;
  fields: {
    summary: string;
    issuetype: string;
    description: unknown;
    labels: string[];
    priority: string | null;
    status: { name: string; category: "new" | "indeterminate" | "done" };
  };
  comments: { id: string; body: unknown }[];
  createdAt: number;
}

export type JiraFault =
  | { kind: "rate-limit"; retryAfterSeconds: number }
  | { kind: "status"; status: number; message: string };

export interface JiraPeer extends Peer {
  issues: JiraIssue[];
  faults: JiraFault[];
  /** How many of the next creates succeed without their answer arriving. */
  script: { dropCreateAnswers: number };
}

const TRANSITIONS = [
  { id: "11", name: "To Do", to: { name: "To Do", statusCategory: { key: "new" } } },
  { id: "21", name: "In Progress", to: { name: "In Progress", statusCategory: { key: "indeterminate" } } },
  { id: "31", name: "Done", to: { name: "Done", statusCategory: { key: "done" } } },
] as const;

const isAdf = (value: unknown) =>
  typeof value === "object" &&
  value !== null &&
  (value as { type?: unknown }).type === "doc" &&
  (value as { version?: unknown }).version === 1 &&
  Array.isArray((value as { content?: unknown }).content);

export async function startJiraPeer(options: {
  projectKey: string;
  email: string;
  apiToken: string;
  issueTypes?: string[];
  priorities?: string[];
  indexLagMs?: number;
}): Promise<JiraPeer> {
  const issues: JiraIssue[] = [];
  const faults: JiraFault[] = [];
  const issueTypes = options.issueTypes ?? ["Task", "Bug"];
  const priorities = options.priorities ?? ["Highest", "High", "Medium", "Low"];
  const basic = `Basic ${Buffer.from(`${options.email}:${options.apiToken}`).toString("base64")}`;
  let nextId = 10_000;
  let nextComment = 20_000;
  const script = { dropCreateAnswers: 0 };

  const send = (
    res: ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { "content-type": "application/json;charset=UTF-8", ...headers });
    res.end(body === undefined ? "" : JSON.stringify(body));
  };
  const bad = (res: ServerResponse, errors: Record<string, string>, errorMessages: string[] = []) =>
    send(res, 400, { errorMessages, errors });
  const byKey = (key: string) => issues.find((i) => i.key === key || i.id === key);

  const handle = (req: ReceivedRequest, res: ServerResponse) => {
    if (req.headers.authorization !== basic) {
      return send(res, 401, { errorMessages: ["Client must be authenticated to access this resource."] });
    }
    const fault = faults.shift();
    if (fault?.kind === "rate-limit") {
      return send(
        res,
        429,
        { errorMessages: ["Rate limit exceeded."] },
        {
          "retry-after": String(fault.retryAfterSeconds),
          "x-ratelimit-limit": "100",
          "x-ratelimit-remaining": "0",
        },
      );
    }
    if (fault?.kind === "status") return send(res, fault.status, { errorMessages: [fault.message] });
    const [path = "", search = ""] = req.path.split("?");
    const query = new URLSearchParams(search);
    let body: Record<string, unknown> = {};
    if (req.body.length > 0) {
      if (!String(req.headers["content-type"] ?? "").startsWith("application/json"))
        return send(res, 415, { errorMessages: ["Unsupported Media Type"] });
      try {
        body = JSON.parse(req.body.toString("utf8"));
      } catch {
        return bad(res, {}, ["Unexpected character in the request body."]);
      }
    }
    const api = "/rest/api/3";
    if (!path.startsWith(api)) return send(res, 404, { errorMessages: ["Not found"] });
    const rest = path.slice(api.length);

    if (rest === "/myself" && req.method === "GET") {
      return send(res, 200, {
        accountId: "5b10a2844c20165700ede21g",
        emailAddress: options.email,
        displayName: "Ops Bot",
      });
    }
    if (rest === `/project/${options.projectKey}` && req.method === "GET") {
      return send(res, 200, {
        key: options.projectKey,
        name: "Drift",
        issueTypes: issueTypes.map((name) => ({ name })),
      });
    }
    if (rest.startsWith("/project/"))
      return send(res, 404, { errorMessages: ["No project could be found with key."] });

    if (rest === "/search/jql" && req.method === "POST") {
      const jql = String(body.jql ?? "");
      const project = /project\s*=\s*"([^"]+)"/.exec(jql)?.[1];
      const label = /labels\s*=\s*"([^"]+)"/.exec(jql)?.[1];
      if (!project || !label) return bad(res, {}, [`Error in the JQL Query: unsupported query '${jql}'.`]);
      const visibleBefore = Date.now() - (options.indexLagMs ?? 0);
      const found = issues
        .filter((i) => project === options.projectKey && i.fields.labels.includes(label))
        .filter((i) => i.createdAt <= visibleBefore)
        .slice(0, Number(body.maxResults ?? 50));
      return send(res, 200, {
        issues: found.map((i) => ({
          id: i.id,
          key: i.key,
          fields: {
            status: { name: i.fields.status.name, statusCategory: { key: i.fields.status.category } },
          },
        })),
        isLast: true,
      });
    }
    if (rest === "/issue" && req.method === "POST") {
      const fields = (body.fields ?? {}) as Record<string, unknown>;
      const errors: Record<string, string> = {};
      if ((fields.project as { key?: string } | undefined)?.key !== options.projectKey)
        errors.project = "valid project is required";
      const type = (fields.issuetype as { name?: string } | undefined)?.name;
      if (!type || !issueTypes.includes(type)) errors.issuetype = "valid issue type is required";
      if (typeof fields.summary !== "string" || fields.summary === "")
        errors.summary = "You must specify a summary of the issue.";
      else if (fields.summary.length > 255) errors.summary = "Summary must be less than 255 characters.";
      if (fields.description !== undefined && !isAdf(fields.description))
        errors.description =
          "Operation value must be an Atlassian Document (see the Atlassian Document Format)";
      const labels = (fields.labels ?? []) as unknown[];
      if (!Array.isArray(labels) || labels.some((l) => typeof l !== "string" || /\s/.test(l)))
        errors.labels = "The label must not contain spaces.";
      const priority = (fields.priority as { name?: string } | undefined)?.name;
      if (fields.priority !== undefined && (!priority || !priorities.includes(priority)))
        errors.priority = `The priority selected is invalid.`;
      if (Object.keys(errors).length > 0) return bad(res, errors);
      const id = String(nextId++);
      const issue: JiraIssue = {
        id,
        key: `${options.projectKey}-${issues.length + 1}`,
        fields: {
          summary: fields.summary as string,
          issuetype: type as string,
          description: fields.description ?? null,
          labels: labels as string[],
          priority: priority ?? null,
          status: { name: "To Do", category: "new" },
        },
        comments: [],
        createdAt: Date.now(),
      };
      issues.push(issue);
      // Created, and the answer lost: the connection drops before a byte of it is sent.
      if (script.dropCreateAnswers > 0) {
        script.dropCreateAnswers--;
        return res.socket?.destroy();
      }
      return send(res, 201, { id, key: issue.key, self: `${peerUrl}${api}/issue/${id}` });
    }
    const match = /^\/issue\/([^/]+)(\/comment|\/transitions)?$/.exec(rest);
    const issue = match ? byKey(decodeURIComponent(match[1] as string)) : undefined;
    if (!match || !issue) {
      return send(res, 404, {
        errorMessages: ["Issue does not exist or you do not have permission to see it."],
      });
    }
    if (match[2] === "/comment" && req.method === "GET") {
      const startAt = Number(query.get("startAt") ?? 0);
      const maxResults = Number(query.get("maxResults") ?? 50);
      return send(res, 200, {
        startAt,
        maxResults,
        total: issue.comments.length,
        comments: issue.comments.slice(startAt, startAt + maxResults),
      });
    }
    if (match[2] === "/comment" && req.method === "POST") {
      if (!isAdf(body.body)) return bad(res, { comment: "Comment body must be an Atlassian Document." });
      const comment = { id: String(nextComment++), body: body.body };
      issue.comments.push(comment);
      return send(res, 201, comment);
    }
    if (match[2] === "/transitions" && req.method === "GET")
      return send(res, 200, { transitions: TRANSITIONS });
    if (match[2] === "/transitions" && req.method === "POST") {
      const id = (body.transition as { id?: string } | undefined)?.id;
      const transition = TRANSITIONS.find((t) => t.id === id);
      if (!transition) return bad(res, {}, ["Transition id is not valid for this issue."]);
      issue.fields.status = { name: transition.to.name, category: transition.to.statusCategory.key };
      return send(res, 204);
    }
    if (!match[2] && req.method === "PUT") {
      const update = (body.update ?? {}) as { labels?: { add?: string; remove?: string }[] };
      for (const op of update.labels ?? []) {
        if (op.remove) issue.fields.labels = issue.fields.labels.filter((l) => l !== op.remove);
        if (op.add && !issue.fields.labels.includes(op.add)) {
          if (/\s/.test(op.add)) return bad(res, { labels: "The label must not contain spaces." });
          issue.fields.labels.push(op.add);
        }
      }
      const priority = (
        (body.fields as Record<string, unknown> | undefined)?.priority as { name?: string } | undefined
      )?.name;
      if (priority !== undefined) {
        if (!priorities.includes(priority))
          return bad(res, { priority: "The priority selected is invalid." });
        issue.fields.priority = priority;
      }
      return send(res, 204);
    }
    if (!match[2] && req.method === "GET") {
      return send(res, 200, {
        id: issue.id,
        key: issue.key,
        self: `${peerUrl}${api}/issue/${issue.id}`,
        fields: {
          summary: issue.fields.summary,
          labels: issue.fields.labels,
          priority: issue.fields.priority ? { name: issue.fields.priority } : null,
          status: { name: issue.fields.status.name, statusCategory: { key: issue.fields.status.category } },
        },
      });
    }
    return send(res, 405, { errorMessages: ["Method not allowed"] });
  };

  let peerUrl = "";
  const peer = await startPeer(handle);
  peerUrl = peer.url;
  return { url: peer.url, requests: peer.requests, close: peer.close, issues, faults, script };
}
