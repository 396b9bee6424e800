import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { githubConfigSchema } from "../config.ts";
import type { DeliveryError } from "../delivery-error.ts";
import { startGithubPeer } from "../testing/github-peer.ts";
import { describeTicketTracker, ticketEvent } from "../tickets/tracker.case.ts";
import { deliverTicketChange, GithubTracker, keyLabel, severityLabel } from "./index.ts";

const TOKEN = "github_pat_11AAAAAA0testtoken";
const config = (endpoint: string, token = TOKEN) =>
  githubConfigSchema.parse({
    type: "github",
    repository: "acme/face-ops",
    token,
    endpoint,
    labels: ["facedrift", "ops"],
  });

describeTicketTracker("GitHub Issues", async () => {
  const peer = await startGithubPeer({ repository: "acme/face-ops", token: TOKEN });
  return {
    deliver: (event) => deliverTicketChange(event, config(peer.endpoint)),
    tickets: () =>
      peer.issues.map((i) => ({
        title: i.title,
        body: i.body,
        open: i.state === "open",
        labels: i.labels,
        comments: i.comments.map((c) => c.body),
      })),
    throttleNext: () => peer.faults.push({ kind: "primary-rate-limit" }),
    dropNextCreateAnswer: () => {
      peer.script.dropCreateAnswers++;
    },
    severityLabel,
    close: () => peer.close(),
  };
});

describe("GitHub Issues: the REST API as GitHub speaks it", () => {
  let peer: Awaited<ReturnType<typeof startGithubPeer>>;
  beforeAll(async () => {
    peer = await startGithubPeer({ repository: "acme/face-ops", token: TOKEN });
  });
  afterAll(() => peer.close());

  it("sends the token as Bearer with the API version and a User-Agent, and labels the issue", async () => {
    await deliverTicketChange(
      ticketEvent("opened", "warning", { key: "incident-41" }),
      config(peer.endpoint),
    );
    const create = peer.requests.find((r) => r.method === "POST");
    expect(create?.path).toBe("/repos/acme/face-ops/issues");
    expect(create?.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      accept: "application/vnd.github+json",
      "x-github-api-version": "2022-11-28",
      "user-agent": "Facedrift",
    });
    expect(JSON.parse(String(create?.body)).labels).toEqual([
      "facedrift",
      "ops",
      "facedrift:incident-41",
      "severity:warning",
    ]);
    // The lookup lists issues by label (GitHub's database, not its search index), closed ones too.
    expect(peer.requests[0]?.path).toBe(
      "/repos/acme/face-ops/issues?labels=facedrift%3Aincident-41&state=all&per_page=10",
    );
  });

  it("tells a rate limit from a refusal: 403 with the limit spent or 429 waits, a bare 403 or 401 does not", async () => {
    const attempt = () =>
      deliverTicketChange(
        ticketEvent("opened", "warning", { key: "incident-42" }),
        config(peer.endpoint),
      ).catch((e: DeliveryError) => e);
    peer.faults.push({ kind: "secondary-rate-limit", retryAfterSeconds: 30 });
    expect(await attempt()).toMatchObject({ retryable: true, retryAfterMs: 30_000, httpStatus: 429 });
    peer.faults.push({ kind: "primary-rate-limit" });
    expect(await attempt()).toMatchObject({ retryable: true, httpStatus: 403 });
    peer.faults.push({
      kind: "status",
      status: 403,
      message: "Resource not accessible by personal access token",
    });
    expect(await attempt()).toMatchObject({ retryable: false, httpStatus: 403 });
    const denied = await deliverTicketChange(
      ticketEvent("opened", "warning"),
      config(peer.endpoint, "github_pat_wrong0000000000"),
    ).catch((e: DeliveryError) => e);
    expect(denied).toMatchObject({ retryable: false, httpStatus: 401 });
    peer.faults.push({ kind: "status", status: 502, message: "Server Error" });
    expect(await attempt()).toMatchObject({ retryable: true, httpStatus: 502 });
  });

  it("a repository the token cannot see is 404, and a label over GitHub's 50 characters is avoided", async () => {
    const elsewhere = githubConfigSchema.parse({
      type: "github",
      repository: "acme/other",
      token: TOKEN,
      endpoint: peer.endpoint,
    });
    expect(
      await deliverTicketChange(ticketEvent("opened", "warning"), elsewhere).catch((e) => e),
    ).toMatchObject({
      retryable: false,
      httpStatus: 404,
    });
    const long = `incident-${"9".repeat(60)}`;
    expect(keyLabel(long).length).toBeLessThanOrEqual(50);
    await deliverTicketChange(ticketEvent("opened", "warning", { key: long }), config(peer.endpoint));
    await deliverTicketChange(ticketEvent("opened", "warning", { key: long }), config(peer.endpoint));
    expect(peer.issues.filter((i) => i.labels.includes(keyLabel(long)))).toHaveLength(1);
  });

  it("keeps labels people added when the severity changes, and closes as completed", async () => {
    const key = "incident-43";
    await deliverTicketChange(ticketEvent("opened", "warning", { key }), config(peer.endpoint));
    const issue = peer.issues.find((i) => i.labels.includes(keyLabel(key)));
    issue?.labels.push("triaged");
    await deliverTicketChange(ticketEvent("escalated", "critical", { key }), config(peer.endpoint));
    expect(issue?.labels).toEqual([
      "facedrift",
      "ops",
      "facedrift:incident-43",
      "triaged",
      "severity:critical",
    ]);
    await deliverTicketChange(ticketEvent("resolved", "critical", { key }), config(peer.endpoint));
    expect(issue).toMatchObject({ state: "closed", state_reason: "completed" });
  });

  it("the channel test checks the token and that issues are on, without opening one", async () => {
    const before = peer.issues.length;
    expect(await new GithubTracker(config(peer.endpoint)).probe()).toBe(
      "acme/face-ops: issues enabled, token accepted",
    );
    peer.hasIssues = false;
    await expect(new GithubTracker(config(peer.endpoint)).probe()).rejects.toThrow(
      "issues are disabled on acme/face-ops",
    );
    peer.hasIssues = true;
    expect(peer.issues.length).toBe(before);
  });
});
