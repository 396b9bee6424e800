import { describe, expect, it } from "vitest";
import { seededRng } from "../numeric/random.ts";
import { checkPeople, PEOPLE_CHECK_ALPHA, type PeopleReference } from "./people-check.ts";

const D = 32;

/** People are directions; photos add noise; every vector unit length (cos ≈ 0.9 within, ≈ 0 between). */
function world(seed: number) {
  const rng = seededRng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const person = () => Array.from({ length: D }, normal);
  const photo = (p: number[], pull: number[] | null = null) => {
    const v = p.map((t, i) => t + 0.3 * normal() + (pull ? (pull[i] as number) : 0));
    const norm = Math.hypot(...v);
    return v.map((t) => t / norm);
  };
  return { rng, person, photo };
}

function reference(w: ReturnType<typeof world>, people: number): PeopleReference {
  const rows = Array.from({ length: people }, w.person).flatMap((p) => [w.photo(p), w.photo(p)]);
  return {
    sample: Float64Array.from(rows.flat()),
    sampleSize: rows.length,
    sigma: 1,
    samePersonThreshold: 0.6,
  };
}

const matrix = (rows: number[][]) => Float32Array.from(rows.flat());

describe("checkPeople", () => {
  it("calls a window of ten people seen over and over population, at about α over many draws", () => {
    const w = world(7);
    const ref = reference(w, 150);
    let input = 0;
    const draws = 40;
    for (let k = 0; k < draws; k++) {
      const staff = Array.from({ length: 10 }, w.person);
      const rows = Array.from({ length: 150 }, () => w.photo(staff[Math.floor(w.rng() * 10)] as number[]));
      const c = checkPeople(ref, matrix(rows), rows.length, D);
      expect(c.people).toBe(10);
      if (c.verdict === "input") input++;
    }
    // Binomial(40, 0.01): 3 or more has probability < 0.01.
    expect(input).toBeLessThanOrEqual(2);
  });

  it("calls a change every face shows input, however many people", () => {
    const w = world(8);
    const ref = reference(w, 150);
    const raw = Array.from({ length: D }, () => w.rng() - 0.5);
    const pull = raw.map((t) => (0.3 * Math.sqrt(D) * t) / Math.hypot(...raw));
    const many = Array.from({ length: 150 }, () => w.photo(w.person(), pull));
    const c = checkPeople(ref, matrix(many), many.length, D);
    expect(c).toMatchObject({ verdict: "input", rows: 150, alpha: PEOPLE_CHECK_ALPHA });
    expect(c.pValue).toBeLessThan(PEOPLE_CHECK_ALPHA);
    expect(c.people).toBeGreaterThan(120);
  });

  it("calls one face resent over and over population without testing", () => {
    const w = world(9);
    const face = w.photo(w.person());
    const c = checkPeople(reference(w, 20), matrix(Array.from({ length: 50 }, () => face)), 50, D);
    expect(c).toMatchObject({ verdict: "population", pValue: 1, people: 1, repeatsDropped: 49 });
  });

  it("tests an ADWIN finding on its own value over people: a small shift of every face's value is input, ten people are not", () => {
    const w = world(10);
    const ref = reference(w, 150);
    const m = ref.sampleSize;
    const sampleRows = Array.from({ length: m }, (_, i) =>
      Array.from(ref.sample.subarray(i * D, (i + 1) * D)),
    );
    // The value ADWIN watched: the first coordinate (as a PC1 score would be).
    const value = (row: ArrayLike<number>) => row[0] as number;
    const referenceValues = sampleRows.map(value);
    const shifted = Array.from({ length: 200 }, () => w.photo(w.person()));
    const c = checkPeople(ref, matrix(shifted), shifted.length, D, {
      kind: "mean",
      referenceValues,
      windowValues: shifted.map((r) => value(r) + 0.08),
    });
    expect(c).toMatchObject({ test: "mean", verdict: "input" });
    let input = 0;
    for (let k = 0; k < 30; k++) {
      const staff = Array.from({ length: 10 }, w.person);
      const rows = Array.from({ length: 150 }, () => w.photo(staff[Math.floor(w.rng() * 10)] as number[]));
      const r = checkPeople(ref, matrix(rows), rows.length, D, {
        kind: "mean",
        referenceValues,
        windowValues: rows.map(value),
      });
      if (r.verdict === "input") input++;
    }
    // Binomial(30, 0.01): 3 or more has probability < 0.004.
    expect(input).toBeLessThanOrEqual(2);
  });
});
