import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { DeliveryError } from "../delivery-error.ts";
import { sampleAlert } from "../testing/alert.ts";
import { type Peer, reply, startPeer } from "../testing/peer.ts";
import { deliver, verifySignature } from "./index.ts";

const secret = "s3cret-that-is-long-enough";
let peer: Peer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

describe("webhook channel", () => {
  it("POSTs the alert as JSON with an HMAC-SHA256 signature over the raw bytes", async () => {
    peer = await startPeer((_, res) => reply(res, 204));
    const now = new Date("2026-11-26T12:00:05.000Z");
    const receipt = await deliver(
      sampleAlert(),
      { type: "webhook", url: `${peer.url}/hook`, secret },
      { deliveryId: "d-1", now: () => now },
    );
    expect(receipt).toEqual({ httpStatus: 204 });

    const [request] = peer.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/hook");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["x-facedrift-event"]).toBe("alert.triggered");
    expect(request?.headers["x-facedrift-delivery"]).toBe("d-1");
    expect(request?.headers["x-facedrift-timestamp"]).toBe(String(now.getTime() / 1000));

    // Recomputed independently of the channel's own `sign`.
    const expected = `sha256=${createHmac("sha256", secret).update(request!.body).digest("hex")}`;
    expect(request?.headers["x-facedrift-signature"]).toBe(expected);
    expect(verifySignature(request!.body, expected, secret)).toBe(true);
    expect(verifySignature(request!.body, expected, "another-secret-16+")).toBe(false);

    const body = JSON.parse(request!.body.toString("utf8"));
    expect(body).toMatchObject({
      event: "alert.triggered",
      deliveryId: "d-1",
      sentAt: now.toISOString(),
      alert: {
        id: 42,
        stream: "lobby-cam <east>",
        detector: "batch",
        severity: "critical",
        createdAt: "2026-11-26T12:00:00.000Z",
        numbers: { mmd2: 0.0184, flaggedDimensions: [1, 3, 4] },
        window: { from: "2026-11-26T10:00:00.000Z", to: "2026-11-26T12:00:00.000Z" },
      },
    });
    expect(body.alert.dashboardUrl).toBe(
      "https://facedrift.example/streams/lobby-cam%20%3Ceast%3E?from=2026-11-26T10%3A00%3A00.000Z&to=2026-11-26T12%3A00%3A00.000Z&alert=42",
    );
  });

  it("a 500 is a retryable DeliveryError carrying the status; a 400 is not retryable", async () => {
    let status = 500;
    peer = await startPeer((_, res) => reply(res, status, "boom", { "Retry-After": "2" }));
    const config = { type: "webhook" as const, url: peer.url, secret };
    const error500 = await deliver(sampleAlert(), config).catch((e: unknown) => e);
    expect(error500).toBeInstanceOf(DeliveryError);
    expect(error500).toMatchObject({
      retryable: true,
      httpStatus: 500,
      retryAfterMs: 2000,
      channel: "webhook",
    });
    expect((error500 as Error).message).toContain("boom");

    status = 400;
    await expect(deliver(sampleAlert(), config)).rejects.toMatchObject({ retryable: false, httpStatus: 400 });
  });

  it("a refused connection is retryable", async () => {
    peer = await startPeer((_, res) => reply(res, 200));
    const url = peer.url;
    await peer.close();
    peer = undefined;
    await expect(deliver(sampleAlert(), { type: "webhook", url, secret })).rejects.toMatchObject({
      retryable: true,
      timedOut: false,
    });
  });

  it("an aborted signal stops a hanging request and is reported as a timeout", async () => {
    peer = await startPeer(() => {}); // never answers
    const error = await deliver(
      sampleAlert(),
      { type: "webhook", url: peer.url, secret },
      { signal: AbortSignal.timeout(50) },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: true, timedOut: true });
  });
});
