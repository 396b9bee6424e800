import { afterEach, describe, expect, it } from "vitest";
import { pagerDutyConfigSchema } from "../config.ts";
import { sampleNotification } from "../testing/alert.ts";
import { type Peer, reply, startPeer } from "../testing/peer.ts";
import { deliver } from "./index.ts";

const routingKey = "R0123456789abcdef0123456789abcde";
let peer: Peer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

function accepting(): Promise<Peer> {
  return startPeer((request, res) => {
    const event = JSON.parse(request.body.toString("utf8"));
    reply(
      res,
      202,
      JSON.stringify({ status: "success", message: "Event processed", dedup_key: event.dedup_key }),
      { "Content-Type": "application/json" },
    );
  });
}

describe("pagerduty channel", () => {
  it("triggers one PagerDuty alert per incident: dedup key, payload and dashboard link", async () => {
    peer = await accepting();
    const notification = sampleNotification();
    const config = pagerDutyConfigSchema.parse({
      type: "pagerduty",
      routingKey,
      endpoint: `${peer.url}/v2/enqueue`,
    });
    const receipt = await deliver(notification, config);
    expect(receipt.httpStatus).toBe(202);
    expect(receipt.detail).toContain("Event processed");

    const [request] = peer.requests;
    expect(request?.path).toBe("/v2/enqueue");
    expect(request?.headers["content-type"]).toBe("application/json");
    const event = JSON.parse(request!.body.toString("utf8"));
    const finding = notification.finding!;
    expect(event).toEqual({
      routing_key: routingKey,
      event_action: "trigger",
      dedup_key: "facedrift/7/incident/12",
      payload: {
        summary: `[lobby-cam <east>] Incident #12 opened (CRITICAL): ${notification.incident.title}`,
        source: "facedrift:lobby-cam <east>",
        severity: "critical",
        timestamp: "2026-11-26T12:00:00.000Z",
        component: "lobby-cam <east>",
        group: "pc1,batch",
        class: "embedding-drift",
        custom_details: {
          incident_id: 12,
          transition: "opened",
          previous_severity: null,
          detectors: ["pc1", "batch"],
          findings: 3,
          window_from: "2026-11-26T10:00:00.000Z",
          window_to: "2026-11-26T12:00:00.000Z",
          predicted_auc_drop: { deltaAuc: 0.021, error: 0.006 },
          finding_id: 42,
          finding: finding.title,
          ...finding.numbers,
        },
      },
      links: [{ href: notification.dashboardUrl, text: "Open in Facedrift dashboard" }],
      client: "Facedrift",
      client_url: notification.dashboardUrl,
    });
  });

  it("escalates under the same dedup key and resolves it; another incident gets its own key", async () => {
    peer = await accepting();
    const config = { type: "pagerduty" as const, routingKey, endpoint: peer.url };
    await deliver(sampleNotification({ incident: { severity: "warning" } }), config);
    await deliver(sampleNotification({ transition: "escalated" }), config);
    await deliver(sampleNotification({ transition: "resolved" }), config);
    await deliver(
      sampleNotification({ incident: { id: 13, severity: "info", category: "population" } }),
      config,
    );
    const events = peer.requests.map((r) => JSON.parse(r.body.toString("utf8")));
    expect(events.map((e) => e.event_action)).toEqual(["trigger", "trigger", "resolve", "trigger"]);
    expect(events.map((e) => e.payload?.severity)).toEqual(["warning", "critical", undefined, "info"]);
    expect(events[2]).toEqual({
      routing_key: routingKey,
      event_action: "resolve",
      dedup_key: events[0].dedup_key,
    });
    expect(events[1].dedup_key).toBe(events[0].dedup_key);
    expect(events[3].dedup_key).toBe("facedrift/7/incident/13");
    expect(events[3].payload.class).toBe("population-change");
  });

  it("the endpoint defaults to PagerDuty's; a 400 is final, a 429 is retried", async () => {
    expect(pagerDutyConfigSchema.parse({ type: "pagerduty", routingKey }).endpoint).toBe(
      "https://events.pagerduty.com/v2/enqueue",
    );
    let status = 400;
    peer = await startPeer((_, res) => reply(res, status, '{"status":"invalid event"}'));
    const config = { type: "pagerduty" as const, routingKey, endpoint: peer.url };
    await expect(deliver(sampleNotification(), config)).rejects.toMatchObject({
      retryable: false,
      httpStatus: 400,
    });
    status = 429;
    await expect(deliver(sampleNotification(), config)).rejects.toMatchObject({
      retryable: true,
      httpStatus: 429,
    });
  });
});
