import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { DeliveryError } from "../delivery-error.ts";
import { sampleNotification } from "../testing/alert.ts";
import { type Peer, reply, startPeer } from "../testing/peer.ts";
import { deliver, verifySignature } from "./index.ts";

const secret = "s3cret-that-is-long-enough";
let peer: Peer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

describe("webhook channel", () => {
  it("POSTs the incident notification as JSON with an HMAC-SHA256 signature over the raw bytes", async () => {
    peer = await startPeer((_, res) => reply(res, 204));
    const now = new Date("2026-11-26T12:00:05.000Z");
    const receipt = await deliver(
      sampleNotification(),
      { type: "webhook", url: `${peer.url}/hook`, secret },
      { deliveryId: "d-1", now: () => now },
    );
    expect(receipt).toEqual({ httpStatus: 204 });

    const [request] = peer.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/hook");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["x-facedrift-event"]).toBe("incident.opened");
    expect(request?.headers["x-facedrift-incident"]).toBe("12");
    expect(request?.headers["x-facedrift-delivery"]).toBe("d-1");
    expect(request?.headers["x-facedrift-timestamp"]).toBe(String(now.getTime() / 1000));

    // Recomputed independently of the channel's own `sign`.
    const expected = `sha256=${createHmac("sha256", secret).update(request!.body).digest("hex")}`;
    expect(request?.headers["x-facedrift-signature"]).toBe(expected);
    expect(verifySignature(request!.body, expected, secret)).toBe(true);
    expect(verifySignature(request!.body, expected, "another-secret-16+")).toBe(false);

    const body = JSON.parse(request!.body.toString("utf8"));
    expect(body).toMatchObject({
      event: "incident.opened",
      deliveryId: "d-1",
      sentAt: now.toISOString(),
      key: "incident-12-opened-critical",
      transition: "opened",
      incident: {
        id: 12,
        stream: "lobby-cam <east>",
        status: "open",
        severity: "critical",
        detectors: ["pc1", "batch"],
        findingCount: 3,
        impact: { deltaAuc: 0.021, error: 0.006 },
        window: { from: "2026-11-26T10:00:00.000Z", to: "2026-11-26T12:00:00.000Z" },
      },
      finding: {
        id: 42,
        detector: "batch",
        severity: "critical",
        createdAt: "2026-11-26T12:00:00.000Z",
        numbers: { mmd2: 0.0184, flaggedDimensions: [1, 3, 4] },
      },
    });
    // The link opens the incident's window with 30 minutes of context on each side.
    expect(body.incident.dashboardUrl).toBe(
      "https://facedrift.example/streams/lobby-cam%20%3Ceast%3E?from=2026-11-26T09%3A30%3A00.000Z&to=2026-11-26T12%3A30%3A00.000Z&incident=12",
    );
  });

  it("names the transition in the event; a resolve carries no finding", async () => {
    peer = await startPeer((_, res) => reply(res, 204));
    const config = { type: "webhook" as const, url: peer.url, secret };
    await deliver(sampleNotification({ transition: "escalated" }), config);
    await deliver(sampleNotification({ transition: "resolved" }), config);
    const [escalated, resolved] = peer.requests.map((r) => JSON.parse(r.body.toString("utf8")));
    expect(escalated).toMatchObject({ event: "incident.escalated", previousSeverity: "warning" });
    expect(resolved).toMatchObject({
      event: "incident.resolved",
      finding: null,
      incident: { id: 12, status: "resolved", resolvedBy: "calm" },
    });
  });

  it("a 500 is a retryable DeliveryError carrying the status; a 400 is not retryable", async () => {
    let status = 500;
    peer = await startPeer((_, res) => reply(res, status, "boom", { "Retry-After": "2" }));
    const config = { type: "webhook" as const, url: peer.url, secret };
    const error500 = await deliver(sampleNotification(), config).catch((e: unknown) => e);
    expect(error500).toBeInstanceOf(DeliveryError);
    expect(error500).toMatchObject({
      retryable: true,
      httpStatus: 500,
      retryAfterMs: 2000,
      channel: "webhook",
    });
    expect((error500 as Error).message).toContain("boom");

    status = 400;
    await expect(deliver(sampleNotification(), config)).rejects.toMatchObject({
      retryable: false,
      httpStatus: 400,
    });
  });

  it("a refused connection is retryable", async () => {
    peer = await startPeer((_, res) => reply(res, 200));
    const url = peer.url;
    await peer.close();
    peer = undefined;
    await expect(deliver(sampleNotification(), { type: "webhook", url, secret })).rejects.toMatchObject({
      retryable: true,
      timedOut: false,
    });
  });

  it("an aborted signal stops a hanging request and is reported as a timeout", async () => {
    peer = await startPeer(() => {}); // never answers
    const error = await deliver(
      sampleNotification(),
      { type: "webhook", url: peer.url, secret },
      { signal: AbortSignal.timeout(50) },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: true, timedOut: true });
  });
});
