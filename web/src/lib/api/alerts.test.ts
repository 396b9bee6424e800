import { describe, expect, it } from "vitest";
import { type Alert, acknowledgement, alertStreamLink, alertWindow } from "./alerts.ts";

const base: Alert = {
  id: 7,
  stream: "lobby cam",
  detector: "batch",
  severity: "critical",
  payload: { window: { from: "2026-11-26T09:00:00.000Z", to: "2026-11-26T10:00:00.000Z" } },
  createdAt: "2026-11-26T10:05:00.000Z",
  acknowledgedAt: null,
};

describe("alert helpers", () => {
  it("links to the stream page filtered to the alert's window", () => {
    const link = new URL(alertStreamLink(base), "https://dash.example");
    expect(link.pathname).toBe("/streams/lobby%20cam");
    expect(Object.fromEntries(link.searchParams)).toEqual({
      from: "2026-11-26T09:00:00.000Z",
      to: "2026-11-26T10:00:00.000Z",
      alert: "7",
    });
  });

  it("falls back to the hour before the alert without a stored window", () => {
    expect(alertWindow({ ...base, payload: {} })).toEqual({
      from: "2026-11-26T09:05:00.000Z",
      to: "2026-11-26T10:05:00.000Z",
    });
  });

  it("reads the acknowledgement from the payload", () => {
    expect(acknowledgement(base)).toBeNull();
    const acknowledged = { ...base, acknowledgedAt: "2026-11-26T11:00:00.000Z" };
    expect(
      acknowledgement({
        ...acknowledged,
        payload: { acknowledgement: { note: "swapped camera", by: "user:1" } },
      }),
    ).toEqual({ note: "swapped camera", by: "user:1" });
    expect(acknowledgement(acknowledged)).toEqual({ note: null, by: null });
  });
});
