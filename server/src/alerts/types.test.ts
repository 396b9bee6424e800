import { describe, expect, it } from "vitest";
import { dashboardUrl } from "./types.ts";

describe("dashboardUrl", () => {
  const alert = {
    id: 9,
    stream: "door/2 #a",
    window: { from: new Date("2026-11-26T10:00:00Z"), to: new Date("2026-11-26T11:30:00Z") },
  };

  it("links to the stream, filtered to the alert's window, with the alert selected", () => {
    const url = new URL(dashboardUrl("https://facedrift.example", alert));
    expect(url.pathname).toBe("/streams/door%2F2%20%23a");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      from: "2026-11-26T10:00:00.000Z",
      to: "2026-11-26T11:30:00.000Z",
      alert: "9",
    });
  });

  it("keeps a base path, with or without its trailing slash", () => {
    expect(dashboardUrl("https://x.example/app", alert)).toMatch(
      /^https:\/\/x\.example\/app\/streams\/door%2F2%20%23a\?/,
    );
    expect(dashboardUrl("https://x.example/app/", alert)).toMatch(/^https:\/\/x\.example\/app\/streams\//);
  });
});
