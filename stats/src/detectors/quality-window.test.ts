import { describe, expect, it } from "vitest";
import { seededRng } from "../numeric/random.ts";
import {
  concentration,
  distinctRows,
  fitQualityProfile,
  leaderClusters,
  type QualityProfile,
  type QualityRecord,
  qualityWindowTest,
  varianceComponents,
} from "./quality-window.ts";

const D = 32;

/**
 * A synthetic world: each person has an identity direction and their own brightness and face-size
 * offsets (skin tone, build); each photo adds capture noise. `shift` changes the capture.
 */
function world(seed: number) {
  const rng = seededRng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const person = () => ({
    dir: Array.from({ length: D }, normal),
    brightness: 25 * normal(),
    size: 0.1 * normal(),
  });
  const photo = (p: ReturnType<typeof person>, shift = { size: 1, brightness: 0 }) => {
    const v = p.dir.map((t) => t + 0.35 * normal());
    const norm = Math.hypot(...v);
    const quality: QualityRecord = {
      faceSize: shift.size * Math.exp(4.6 + p.size + 0.15 * normal()),
      brightness: 120 + shift.brightness + p.brightness + 10 * normal(),
      embeddingNorm: 3 + 0.2 * normal(),
    };
    return { v: v.map((t) => t / norm), quality };
  };
  const sample = (
    people: ReturnType<typeof person>[],
    rows: number,
    shift?: { size: number; brightness: number },
  ) => {
    const x = new Float32Array(rows * D);
    const quality: QualityRecord[] = [];
    const groups = new Int32Array(rows);
    for (let i = 0; i < rows; i++) {
      const k = i < people.length ? i : Math.floor(rng() * people.length);
      const p = photo(people[k] as ReturnType<typeof person>, shift);
      x.set(p.v, i * D);
      quality.push(p.quality);
      groups[i] = k;
    }
    return { x, quality, groups };
  };
  return { person, sample };
}

describe("quality window detector", () => {
  const w = world(3);
  const referencePeople = Array.from({ length: 300 }, w.person);
  const reference = w.sample(referencePeople, 600);
  const profile = fitQualityProfile(reference.x, 600, D, reference.quality, reference.groups, {
    seed: 1,
  }) as QualityProfile;

  it("fits a window that suits the reference, and splits person from capture variance", () => {
    expect(profile.windowSize).toBe(300);
    const brightness = profile.signals.find((s) => s.name === "brightness");
    // Person effect 25² = 625 against capture 10² = 100.
    expect(brightness?.between).toBeGreaterThan(400);
    expect(brightness?.within).toBeGreaterThan(60);
    expect(brightness?.within).toBeLessThan(150);
    expect(profile.calibration.windows).toBe(200);
  });

  it("stays quiet on windows of new people, many or few, and fires on a capture change", () => {
    let cleanFired = 0;
    let fewFired = 0;
    let shiftFired = 0;
    for (let r = 0; r < 40; r++) {
      const fresh = Array.from({ length: 300 }, w.person);
      const clean = w.sample(fresh, 300);
      if (qualityWindowTest(profile, clean.x, 300, D, clean.quality).fired.length) cleanFired++;
      // A door camera: the same 10 people all day.
      const few = w.sample(fresh.slice(0, 10), 300);
      const fewResult = qualityWindowTest(profile, few.x, 300, D, few.quality);
      expect(fewResult.people).toBeLessThan(13);
      if (fewResult.fired.length) fewFired++;
      const shifted = w.sample(fresh, 300, { size: 0.8, brightness: 0 });
      const result = qualityWindowTest(profile, shifted.x, 300, D, shifted.quality);
      if (result.fired.includes("faceSize")) shiftFired++;
    }
    expect(cleanFired).toBe(0);
    expect(fewFired).toBeLessThanOrEqual(1);
    expect(shiftFired).toBe(40);
  });

  it("ignoring who is in the window would have fired on the few people (the reason for the person term)", () => {
    let naive = 0;
    for (let r = 0; r < 20; r++) {
      const fresh = Array.from({ length: 10 }, w.person);
      const few = w.sample(fresh, 300);
      const fit = profile.signals.find((s) => s.name === "brightness");
      const mean = few.quality.reduce((s, q) => s + (q?.brightness as number), 0) / 300;
      if (fit && Math.abs(mean - fit.mean) / (fit.sd / Math.sqrt(300)) > profile.zCritical) naive++;
    }
    expect(naive).toBeGreaterThan(5);
  });

  it("collapses exact repeats, so a resent window is the window it repeats", () => {
    const fresh = Array.from({ length: 300 }, w.person);
    const clean = w.sample(fresh, 150);
    const doubled = new Float32Array(300 * D);
    doubled.set(clean.x);
    doubled.set(clean.x, 150 * D);
    const once = qualityWindowTest(profile, clean.x, 150, D, clean.quality);
    const twice = qualityWindowTest(profile, doubled, 300, D, [...clean.quality, ...clean.quality]);
    expect(twice.distinctRows).toBe(150);
    expect(twice.maxAbsZ).toBeCloseTo(once.maxAbsZ, 9);
  });

  it("skips with a reason when the reference carries no quality signals", () => {
    const result = fitQualityProfile(
      reference.x,
      600,
      D,
      reference.quality.map(() => null),
      null,
    );
    expect(result).toEqual({
      skipped: expect.stringContaining("0 of 600 reference embeddings carry quality signals"),
    });
  });
});

describe("building blocks", () => {
  it("leader clustering joins rows above the threshold and splits the rest", () => {
    const x = Float32Array.from([1, 0, 0.999, 0.0447, 0, 1, 0.0447, 0.999]);
    expect(Array.from(leaderClusters(x, 4, 2, 0.99))).toEqual([0, 0, 1, 1]);
    expect(Array.from(distinctRows(Float32Array.from([1, 0, 1, 0, 0, 1]), 3, 2))).toEqual([0, 2]);
  });

  it("concentration is 1/k for k equal groups; variance components recover a pure person effect", () => {
    expect(concentration([0, 0, 1, 1, 2, 2, 3, 3])).toBeCloseTo(0.25, 12);
    const v = varianceComponents([1, 1, 5, 5, 9, 9], [0, 0, 1, 1, 2, 2]);
    expect(v.within).toBe(0);
    expect(v.between).toBeCloseTo(v.total, 12);
  });
});
