import { describe, expect, it } from "vitest";
import { notificationOptions, parseAlertPush, sameOriginUrl } from "./alert-notification.ts";

const origin = "https://dash.example";

describe("alert push notifications", () => {
  it("reads the server's payload and keeps the deep link on the worker's origin", () => {
    const push = parseAlertPush(
      JSON.stringify({
        title: "Incident #3 opened (CRITICAL): Drift on lobby",
        body: "PSI 0.31 on PC2",
        url: "http://10.0.0.5:8080/streams/lobby?from=2026-11-26T10%3A00%3A00.000Z&to=2026-11-26T11%3A00%3A00.000Z&incident=3",
        incidentId: 3,
        transition: "opened",
        alertId: 7,
        severity: "critical",
      }),
      origin,
    );
    expect(push).toEqual({
      title: "Incident #3 opened (CRITICAL): Drift on lobby",
      body: "PSI 0.31 on PC2",
      url: `${origin}/streams/lobby?from=2026-11-26T10%3A00%3A00.000Z&to=2026-11-26T11%3A00%3A00.000Z&incident=3`,
      incidentId: 3,
      transition: "opened",
      alertId: 7,
      severity: "critical",
    });
    expect(notificationOptions(push)).toMatchObject({
      body: "PSI 0.31 on PC2",
      tag: "facedrift-incident-3",
      requireInteraction: true,
      data: { url: push.url, incidentId: 3, alertId: 7 },
    });
    // The resolve replaces it (same tag) and does not wait to be seen.
    const resolved = parseAlertPush(
      JSON.stringify({
        title: "resolved",
        body: "",
        url: "/alerts",
        incidentId: 3,
        transition: "resolved",
        severity: "critical",
      }),
      origin,
    );
    expect(notificationOptions(resolved)).toMatchObject({
      tag: "facedrift-incident-3",
      requireInteraction: false,
    });
  });

  it("still notifies for a message that is not the server's JSON", () => {
    expect(parseAlertPush("disk almost full", origin)).toEqual({
      title: "Facedrift alert",
      body: "disk almost full",
      url: `${origin}/alerts`,
      incidentId: null,
      transition: null,
      alertId: null,
      severity: null,
    });
    expect(parseAlertPush(null, origin).url).toBe(`${origin}/alerts`);
    expect(parseAlertPush('{"title": 5, "severity": "loud"}', origin)).toMatchObject({
      title: "Facedrift alert",
      severity: null,
    });
    expect(notificationOptions(parseAlertPush("x", origin))).toMatchObject({
      tag: "facedrift-alert",
      requireInteraction: false,
    });
  });

  it("resolves relative links against the origin", () => {
    expect(sameOriginUrl("/streams/a?from=1", origin)).toBe(`${origin}/streams/a?from=1`);
    expect(sameOriginUrl("javascript:alert(1)", origin)).toBe(`${origin}/alerts`);
    expect(sameOriginUrl("http://[broken", origin)).toBe(`${origin}/alerts`);
  });
});
