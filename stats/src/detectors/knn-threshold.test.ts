import { describe, expect, it } from "vitest";
import { seededRng } from "../numeric/random.ts";
import { heldOutKnnThreshold, labelGroups, timeBlocks } from "./knn-threshold.ts";

const d = 32;

/** `people` × `photos` unit rows: each person a random centre, each photo the centre plus noise, photos of a person contiguous. */
function faces(people: number, photos: number, seed: number): Float32Array {
  const rng = seededRng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const x = new Float32Array(people * photos * d);
  for (let p = 0; p < people; p++) {
    const centre = Array.from({ length: d }, gauss);
    for (let k = 0; k < photos; k++) {
      const row = centre.map((c) => c + 0.5 * gauss());
      const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
      row.forEach((v, t) => {
        x[(p * photos + k) * d + t] = v / norm;
      });
    }
  }
  return x;
}

/** Share of `queries` rows whose nearest reference row is farther than `threshold` (the novelty rate). */
function noveltyRate(
  reference: Float32Array,
  n: number,
  queries: Float32Array,
  m: number,
  threshold: number,
) {
  let novel = 0;
  for (let i = 0; i < m; i++) {
    let best = -Infinity;
    for (let r = 0; r < n; r++) {
      let dot = 0;
      for (let t = 0; t < d; t++) dot += (queries[i * d + t] as number) * (reference[r * d + t] as number);
      best = Math.max(best, dot);
    }
    if (1 - best > threshold) novel++;
  }
  return novel / m;
}

describe("heldOutKnnThreshold", () => {
  const people = 80;
  const photos = 5;
  const n = people * photos;
  const reference = faces(people, photos, 1);
  const newPeople = faces(40, photos, 2);
  const all = Array.from({ length: n }, (_, i) => i);
  const person = Array.from({ length: n }, (_, i) => `p${Math.floor(i / photos)}`);

  it("puts new people at the target novelty rate where the reference's own nearest-other distance does not", () => {
    // The old threshold: each row's nearest *other* row, i.e. groups of one row.
    const own = heldOutKnnThreshold(reference, n, d, Int32Array.from(all), all);
    const byPerson = heldOutKnnThreshold(reference, n, d, labelGroups(person) as Int32Array, all);
    const byTime = heldOutKnnThreshold(reference, n, d, timeBlocks(n, 10), all);
    if (!own || !byPerson || !byTime) throw new Error("no threshold");
    expect(noveltyRate(reference, n, newPeople, 200, own.threshold)).toBeGreaterThan(0.5);
    expect(noveltyRate(reference, n, newPeople, 200, byPerson.threshold)).toBeLessThan(0.05);
    expect(noveltyRate(reference, n, newPeople, 200, byTime.threshold)).toBeLessThan(0.05);
    expect(byPerson.queries).toBe(n);
  });

  it("searches only the given candidates and is a pure function of its inputs and seed", () => {
    const stored = all.filter((i) => i % 2 === 0);
    const groups = timeBlocks(n, 10);
    const a = heldOutKnnThreshold(reference, n, d, groups, stored, { queries: 100, seed: 3 });
    expect(heldOutKnnThreshold(reference, n, d, groups, stored, { queries: 100, seed: 3 })).toEqual(a);
    expect(a?.queries).toBe(100);
    // With one group there is no other group to search.
    expect(heldOutKnnThreshold(reference, n, d, new Int32Array(n), all)).toBeNull();
  });

  it("names the misuse", () => {
    expect(() => heldOutKnnThreshold(reference, n, d, new Int32Array(3), all)).toThrow(
      /groups has 3 entries, expected 400/,
    );
    expect(() => timeBlocks(10, 1)).toThrow(/blocks must be an integer ≥ 2/);
  });
});

describe("labelGroups", () => {
  it("numbers distinct labels and refuses a split it cannot make", () => {
    expect(Array.from(labelGroups(["a", "b", "a"]) ?? [])).toEqual([0, 1, 0]);
    expect(labelGroups(["a", null, "b"])).toBeNull();
    expect(labelGroups(["a", "a"])).toBeNull();
  });

  it("cuts time into contiguous blocks", () => {
    expect(Array.from(timeBlocks(5, 2))).toEqual([0, 0, 0, 1, 1]);
  });
});
