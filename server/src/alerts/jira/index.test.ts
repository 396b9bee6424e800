import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jiraConfigSchema } from "../config.ts";
import type { DeliveryError } from "../delivery-error.ts";
import { startJiraPeer } from "../testing/jira-peer.ts";
import { describeTicketTracker, ticketEvent } from "../tickets/tracker.case.ts";
import { deliverTicketChange, JiraTracker, severityLabel } from "./index.ts";

const EMAIL = "ops-bot@acme.example";
const TOKEN = "ATATT3xFfGF0-test-token";
const config = (url: string, extra: Record<string, unknown> = {}) =>
  jiraConfigSchema.parse({ type: "jira", url, email: EMAIL, apiToken: TOKEN, projectKey: "DRIFT", ...extra });

// Jira's search lags its writes; the peer's does too, so a lost create's retry must wait for it.
describeTicketTracker("Jira Cloud", async () => {
  const peer = await startJiraPeer({ projectKey: "DRIFT", email: EMAIL, apiToken: TOKEN, indexLagMs: 300 });
  return {
    deliver: (event) => deliverTicketChange(event, config(peer.url)),
    tickets: () =>
      peer.issues.map((i) => ({
        title: i.fields.summary,
        body: JSON.stringify(i.fields.description),
        open: i.fields.status.category !== "done",
        labels: i.fields.labels,
        comments: i.comments.map((c) => JSON.stringify(c.body)),
      })),
    throttleNext: () => peer.faults.push({ kind: "rate-limit", retryAfterSeconds: 1 }),
    dropNextCreateAnswer: () => {
      peer.script.dropCreateAnswers++;
    },
    severityLabel,
    close: () => peer.close(),
  };
});

describe("Jira Cloud: the REST API v3 as Jira speaks it", () => {
  let peer: Awaited<ReturnType<typeof startJiraPeer>>;
  beforeAll(async () => {
    peer = await startJiraPeer({ projectKey: "DRIFT", email: EMAIL, apiToken: TOKEN });
  });
  afterAll(() => peer.close());

  it("authenticates with the account e-mail and API token, and creates with ADF, labels and priority", async () => {
    const priorities = { warning: "High", critical: "Highest" };
    await deliverTicketChange(
      ticketEvent("opened", "warning", { key: "incident-51" }),
      config(peer.url, { priorities }),
    );
    const create = peer.requests.find((r) => r.method === "POST" && r.path === "/rest/api/3/issue");
    expect(create?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString("base64")}`,
    );
    const { fields } = JSON.parse(String(create?.body));
    expect(fields).toMatchObject({
      project: { key: "DRIFT" },
      issuetype: { name: "Task" },
      labels: ["facedrift", "facedrift-incident-51", "severity-warning"],
      priority: { name: "High" },
      description: { type: "doc", version: 1 },
    });
    const issue = peer.issues.at(-1);
    await deliverTicketChange(
      ticketEvent("escalated", "critical", { key: "incident-51" }),
      config(peer.url, { priorities }),
    );
    expect(issue?.fields).toMatchObject({
      priority: "Highest",
      labels: ["facedrift", "facedrift-incident-51", "severity-critical"],
    });
    // Resolution takes the transition into the "done" category, whatever the workflow calls it.
    await deliverTicketChange(
      ticketEvent("resolved", "critical", { key: "incident-51" }),
      config(peer.url, { priorities }),
    );
    expect(issue?.fields.status).toEqual({ name: "Done", category: "done" });
    const transition = peer.requests.findLast((r) => r.path.endsWith("/transitions") && r.method === "POST");
    expect(JSON.parse(String(transition?.body))).toEqual({ transition: { id: "31" } });
  });

  it("takes Jira's 400 (a missing issue type) and 401 as final, 429 and 5xx as waits", async () => {
    const attempt = (extra: Record<string, unknown> = {}) =>
      deliverTicketChange(
        ticketEvent("opened", "warning", { key: "incident-52" }),
        config(peer.url, extra),
      ).catch((e: DeliveryError) => e);
    const wrongType = await attempt({ issueType: "Incident" });
    expect(wrongType).toMatchObject({ retryable: false, httpStatus: 400 });
    expect(String((wrongType as DeliveryError).message)).toContain("valid issue type is required");
    peer.faults.push({ kind: "rate-limit", retryAfterSeconds: 7 });
    expect(await attempt()).toMatchObject({ retryable: true, httpStatus: 429, retryAfterMs: 7_000 });
    peer.faults.push({ kind: "status", status: 503, message: "Service Unavailable" });
    expect(await attempt()).toMatchObject({ retryable: true, httpStatus: 503 });
    const denied = await deliverTicketChange(
      ticketEvent("opened", "warning"),
      jiraConfigSchema.parse({
        type: "jira",
        url: peer.url,
        email: EMAIL,
        apiToken: "wrong",
        projectKey: "DRIFT",
      }),
    ).catch((e: DeliveryError) => e);
    expect(denied).toMatchObject({ retryable: false, httpStatus: 401 });
  });

  it("the channel test checks the account, the project and the issue type, without opening one", async () => {
    const before = peer.issues.length;
    expect(await new JiraTracker(config(peer.url)).probe()).toBe("DRIFT: Task issues, as Ops Bot");
    await expect(new JiraTracker(config(peer.url, { issueType: "Epic" })).probe()).rejects.toThrow(
      'project DRIFT has no issue type "Epic" (it has Task, Bug)',
    );
    await expect(new JiraTracker(config(peer.url, { projectKey: "NOPE" })).probe()).rejects.toMatchObject({
      httpStatus: 404,
    });
    expect(peer.issues.length).toBe(before);
  });

  it("refuses labels with spaces in the config, as Jira would refuse them", () => {
    expect(() => config(peer.url, { labels: ["face drift"] })).toThrow("Jira labels cannot contain spaces");
  });
});
