import { afterEach, describe, expect, it } from "vitest";
import { pagerDutyConfigSchema } from "../config.ts";
import { sampleAlert } from "../testing/alert.ts";
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
  it("sends an Events API v2 trigger with routing key, dedup key, payload and dashboard link", async () => {
    peer = await accepting();
    const alert = sampleAlert();
    const config = pagerDutyConfigSchema.parse({
      type: "pagerduty",
      routingKey,
      endpoint: `${peer.url}/v2/enqueue`,
    });
    const receipt = await deliver(alert, config);
    expect(receipt.httpStatus).toBe(202);
    expect(receipt.detail).toContain("Event processed");

    const [request] = peer.requests;
    expect(request?.path).toBe("/v2/enqueue");
    expect(request?.headers["content-type"]).toBe("application/json");
    const event = JSON.parse(request!.body.toString("utf8"));
    expect(event).toEqual({
      routing_key: routingKey,
      event_action: "trigger",
      dedup_key: "facedrift/7/lobby-cam <east>/batch",
      payload: {
        summary: `[lobby-cam <east>] ${alert.title}`,
        source: "facedrift:lobby-cam <east>",
        severity: "critical",
        timestamp: "2026-11-26T12:00:00.000Z",
        component: "lobby-cam <east>",
        group: "batch",
        class: "embedding-drift",
        custom_details: {
          alert_id: 42,
          window_from: "2026-11-26T10:00:00.000Z",
          window_to: "2026-11-26T12:00:00.000Z",
          ...alert.numbers,
        },
      },
      links: [{ href: alert.dashboardUrl, text: "Open in Facedrift dashboard" }],
      client: "Facedrift",
      client_url: alert.dashboardUrl,
    });
  });

  it("maps severities one to one and groups repeats of one stream and detector under one dedup key", async () => {
    peer = await accepting();
    const config = { type: "pagerduty" as const, routingKey, endpoint: peer.url };
    await deliver(sampleAlert({ id: 1, severity: "warning" }), config);
    await deliver(sampleAlert({ id: 2, severity: "info" }), config);
    await deliver(sampleAlert({ id: 3, detector: "stream" }), config);
    const events = peer.requests.map((r) => JSON.parse(r.body.toString("utf8")));
    expect(events.map((e) => e.payload.severity)).toEqual(["warning", "info", "critical"]);
    expect(events[0].dedup_key).toBe(events[1].dedup_key);
    expect(events[2].dedup_key).not.toBe(events[0].dedup_key);
  });

  it("the endpoint defaults to PagerDuty's; a 400 is final, a 429 is retried", async () => {
    expect(pagerDutyConfigSchema.parse({ type: "pagerduty", routingKey }).endpoint).toBe(
      "https://events.pagerduty.com/v2/enqueue",
    );
    let status = 400;
    peer = await startPeer((_, res) => reply(res, status, '{"status":"invalid event"}'));
    const config = { type: "pagerduty" as const, routingKey, endpoint: peer.url };
    await expect(deliver(sampleAlert(), config)).rejects.toMatchObject({ retryable: false, httpStatus: 400 });
    status = 429;
    await expect(deliver(sampleAlert(), config)).rejects.toMatchObject({ retryable: true, httpStatus: 429 });
  });
});
