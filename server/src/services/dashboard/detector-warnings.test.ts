import { describe, expect, it } from "vitest";
import { detectorWarnings, type ProfileCoverage } from "./detector-warnings.ts";

const full: ProfileCoverage = {
  hasResidual: true,
  hasMmdWindow: true,
  hasFeatureWindow: true,
  hasQuality: true,
  hasDetailTest: true,
  mmdWindowSkipped: null,
  qualitySkipped: null,
};

describe("detectorWarnings", () => {
  it("says nothing for a reference that runs every recommended detector", () => {
    expect(detectorWarnings(full)).toEqual([]);
  });

  it("says what an embeddings-only reference tells apart, by the test its profile carries", () => {
    const skipped = "no quality signals were given with the reference embeddings";
    const [detail] = detectorWarnings({ ...full, hasQuality: false, qualitySkipped: skipped });
    expect(detail).toContain(skipped);
    expect(detail).toMatch(
      /a detail test calls a finding an input change when its faces lost identity detail/,
    );
    expect(detail).toMatch(/a new population, or a change that keeps identity detail — a population change/);
    const [person] = detectorWarnings({
      ...full,
      hasQuality: false,
      hasDetailTest: false,
      qualitySkipped: skipped,
    });
    expect(person).toMatch(
      /a new population looks like an input change to it \(refit the reference for the detail test/,
    );
  });
});
