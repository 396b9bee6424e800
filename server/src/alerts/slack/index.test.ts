import { afterEach, describe, expect, it } from "vitest";
import { sampleAlert } from "../testing/alert.ts";
import { type Peer, reply, startPeer } from "../testing/peer.ts";
import { deliver } from "./index.ts";

let peer: Peer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

describe("slack channel", () => {
  it("posts Block Kit blocks with the key numbers, a context line, a dashboard button and a text fallback", async () => {
    peer = await startPeer((_, res) => reply(res, 200, "ok"));
    const alert = sampleAlert();
    await expect(deliver(alert, { type: "slack", url: `${peer.url}/services/T0/B0/xyz` })).resolves.toEqual({
      httpStatus: 200,
    });

    const [request] = peer.requests;
    expect(request?.path).toBe("/services/T0/B0/xyz");
    expect(request?.headers["content-type"]).toMatch(/^application\/json/);
    const message = JSON.parse(request!.body.toString("utf8"));

    expect(message.text).toContain("CRITICAL");
    expect(message.text).toContain("PSI drift on 3 dimensions &amp; MMD²");
    expect(message.text).toContain("lobby-cam &lt;east&gt;");
    expect(message.text).toContain(alert.dashboardUrl);

    const [header, section, context, actions, ...rest] = message.blocks;
    expect(rest).toEqual([]);
    expect(header).toEqual({
      type: "header",
      text: { type: "plain_text", text: `CRITICAL: ${alert.title}`, emoji: true },
    });

    expect(section.type).toBe("section");
    expect(section.fields.length).toBeLessThanOrEqual(10);
    for (const field of section.fields) expect(field.type).toBe("mrkdwn");
    const fieldTexts: string[] = section.fields.map((f: { text: string }) => f.text);
    // The stream name's angle brackets are escaped for mrkdwn.
    expect(fieldTexts).toContain("*Stream*\nlobby-cam &lt;east&gt;");
    expect(fieldTexts).toContain("*Detector*\nbatch");
    expect(fieldTexts).toContain("*PC1 mean*\n0.0125 → 0.3311");
    expect(fieldTexts).toContain("*PSI (top)*\nd1 0.3100, d4 0.2700, d3 0.1200, d2 0.0500, d0 0.0200 (of 6)");
    expect(fieldTexts).toContain("*Flagged dimensions*\n1, 3, 4");
    expect(fieldTexts).toContain("*MMD²*\n0.0184");
    expect(fieldTexts).toContain("*p-value*\n1.20e-4");

    expect(context.type).toBe("context");
    expect(context.elements[0].text).toContain("Alert #42");
    expect(context.elements[0].text).toContain("2026-11-26T10:00:00.000Z");

    expect(actions.type).toBe("actions");
    expect(actions.elements[0]).toMatchObject({
      type: "button",
      url: alert.dashboardUrl,
      text: { type: "plain_text", text: "Open in dashboard" },
    });
  });

  it("Slack's 429 with Retry-After is retryable; 404 no_service is not", async () => {
    let status = 429;
    peer = await startPeer((_, res) =>
      status === 429
        ? reply(res, 429, "rate_limited", { "Retry-After": "1" })
        : reply(res, 404, "no_service"),
    );
    const config = { type: "slack" as const, url: peer.url };
    await expect(deliver(sampleAlert(), config)).rejects.toMatchObject({
      retryable: true,
      retryAfterMs: 1000,
    });
    status = 404;
    await expect(deliver(sampleAlert(), config)).rejects.toMatchObject({ retryable: false, httpStatus: 404 });
  });

  it("a long title is cut to the header's 150 characters", async () => {
    peer = await startPeer((_, res) => reply(res, 200, "ok"));
    await deliver(sampleAlert({ title: "x".repeat(400) }), { type: "slack", url: peer.url });
    const message = JSON.parse(peer.requests[0]!.body.toString("utf8"));
    expect(message.blocks[0].text.text).toHaveLength(150);
  });
});
