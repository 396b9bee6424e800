import { describe, expect, it } from "vitest";
import { LAGGING_EMBEDDINGS, streamState } from "./stream-state.ts";

describe("streamState", () => {
  const watched = { hasReference: true, lag: 0, lastRunDrift: false, driftIncident: false };

  it("is ok when watched, caught up and quiet", () => {
    expect(streamState(watched)).toBe("ok");
  });

  it("is drifting on a confirmed run or an active drift incident, even when also lagging", () => {
    expect(streamState({ ...watched, lastRunDrift: true })).toBe("drifting");
    expect(streamState({ ...watched, driftIncident: true })).toBe("drifting");
    expect(streamState({ ...watched, driftIncident: true, lag: LAGGING_EMBEDDINGS * 5 })).toBe("drifting");
  });

  it("is lagging from LAGGING_EMBEDDINGS behind", () => {
    expect(streamState({ ...watched, lag: LAGGING_EMBEDDINGS - 1 })).toBe("ok");
    expect(streamState({ ...watched, lag: LAGGING_EMBEDDINGS })).toBe("lagging");
  });

  it("is unmonitored without a reference, whatever else holds", () => {
    expect(streamState({ hasReference: false, lag: null, lastRunDrift: true, driftIncident: true })).toBe(
      "unmonitored",
    );
  });
});
