import { afterEach, describe, expect, it } from "vitest";
import { sampleAlert, sampleNotification } from "../testing/alert.ts";
import { type Peer, reply, startPeer } from "../testing/peer.ts";
import { deliver } from "./index.ts";

let peer: Peer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

describe("slack channel", () => {
  it("posts Block Kit blocks with the incident, the key numbers, a context line, a dashboard button and a text fallback", async () => {
    peer = await startPeer((_, res) => reply(res, 200, "ok"));
    const notification = sampleNotification();
    await expect(
      deliver(notification, { type: "slack", url: `${peer.url}/services/T0/B0/xyz` }),
    ).resolves.toEqual({
      httpStatus: 200,
    });

    const [request] = peer.requests;
    expect(request?.path).toBe("/services/T0/B0/xyz");
    expect(request?.headers["content-type"]).toMatch(/^application\/json/);
    const message = JSON.parse(request!.body.toString("utf8"));

    expect(message.text).toContain("Incident #12 opened (CRITICAL)");
    expect(message.text).toContain("lobby-cam &lt;east&gt;");
    expect(message.text).toContain(notification.dashboardUrl);

    const [header, section, context, actions, ...rest] = message.blocks;
    expect(rest).toEqual([]);
    expect(header).toEqual({
      type: "header",
      text: {
        type: "plain_text",
        text: `Incident #12 opened (CRITICAL): ${notification.incident.title}`,
        emoji: true,
      },
    });

    expect(section.type).toBe("section");
    expect(section.fields.length).toBeLessThanOrEqual(10);
    for (const field of section.fields) expect(field.type).toBe("mrkdwn");
    const fieldTexts: string[] = section.fields.map((f: { text: string }) => f.text);
    // The stream name's angle brackets are escaped for mrkdwn.
    expect(fieldTexts).toContain("*Stream*\nlobby-cam &lt;east&gt;");
    expect(fieldTexts).toContain("*Detectors*\nPC1 shift (ADWIN), batch check (PSI/KS/MMD) (3 findings)");
    expect(fieldTexts).toContain("*Predicted AUC drop*\n0.021 ± 0.006");
    expect(fieldTexts).toContain("*Finding*\nPSI drift on 3 dimensions &amp; MMD² above threshold");
    expect(fieldTexts).toContain("*PC1 mean*\n0.0125 → 0.3311");
    expect(fieldTexts).toContain("*PSI (top)*\nd1 0.3100, d4 0.2700, d3 0.1200, d2 0.0500, d0 0.0200 (of 6)");

    expect(context.type).toBe("context");
    expect(context.elements[0].text).toContain("Incident #12");
    expect(context.elements[0].text).toContain("event time 2026-11-26T10:00:00.000Z");

    expect(actions.type).toBe("actions");
    expect(actions.elements[0]).toMatchObject({
      type: "button",
      url: notification.dashboardUrl,
      text: { type: "plain_text", text: "Open in dashboard" },
    });
  });

  it("says an escalation's severities and a resolve's reason", async () => {
    peer = await startPeer((_, res) => reply(res, 200, "ok"));
    await deliver(sampleNotification({ transition: "escalated" }), { type: "slack", url: peer.url });
    await deliver(sampleNotification({ transition: "resolved" }), { type: "slack", url: peer.url });
    const [escalated, resolved] = peer.requests.map((r) => JSON.parse(r.body.toString("utf8")));
    expect(escalated.blocks[0].text.text).toMatch(/^Incident #12 escalated WARNING → CRITICAL: /);
    expect(resolved.blocks[0].text.text).toMatch(
      /^Incident #12 resolved \(no new finding for the calm period\): /,
    );
    expect(resolved.blocks[3].elements[0].style).toBe("primary");
  });

  it("Slack's 429 with Retry-After is retryable; 404 no_service is not", async () => {
    let status = 429;
    peer = await startPeer((_, res) =>
      status === 429
        ? reply(res, 429, "rate_limited", { "Retry-After": "1" })
        : reply(res, 404, "no_service"),
    );
    const config = { type: "slack" as const, url: peer.url };
    await expect(deliver(sampleNotification(), config)).rejects.toMatchObject({
      retryable: true,
      retryAfterMs: 1000,
    });
    status = 404;
    await expect(deliver(sampleNotification(), config)).rejects.toMatchObject({
      retryable: false,
      httpStatus: 404,
    });
  });

  it("a long title is cut to the header's 150 characters", async () => {
    peer = await startPeer((_, res) => reply(res, 200, "ok"));
    const long = sampleNotification({ incident: { title: "x".repeat(400) }, finding: sampleAlert() });
    await deliver(long, { type: "slack", url: peer.url });
    const message = JSON.parse(peer.requests[0]!.body.toString("utf8"));
    expect(message.blocks[0].text.text).toHaveLength(150);
  });
});
