/**
 * Without quality signals: an embedding finding whose rows lost identity detail against new
 * people (the detail test) is an input finding and carries the cost the embedder's
 * embedding-only harm model predicts from them; a new population, or a few people seen over and
 * over, is a population finding, and neither it nor a stream without such a model is priced.
 */
import {
  fitReferenceProfile,
  HARM_MODEL_FORMAT,
  type HarmModel,
  projectPca,
  seededRng,
} from "@facedrift/stats";
import { describe, expect, it } from "vitest";
import { type Detection, runDetectors } from "./detectors.ts";
import { streamingReferenceOf } from "./testing/uninterrupted.ts";

const D = 32;
const K = 10;

/** People share a few strong directions and carry their own detail elsewhere; `detail` < 1 loses it. */
function world(seed: number) {
  const rng = seededRng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const person = () => Array.from({ length: D }, (_, t) => (t < 4 ? 3 : 1) * normal());
  /** Someone of another population: on one side of every shared direction, with detail of their own. */
  const stranger = () => Array.from({ length: D }, (_, t) => (t < 4 ? 3 * Math.abs(normal()) : normal()));
  const photo = (p: number[], detail = 1) => {
    const v = p.map((c, t) => (t < 4 ? c : detail * c) + 0.3 * normal());
    const norm = Math.hypot(...v);
    return v.map((c) => c / norm);
  };
  return { person, stranger, photo, pick: (n: number) => Math.floor(rng() * n) };
}

/** ΔAUC 0.05 per standard deviation of residual lost: what a fitted model looks like, in round numbers. */
const embeddingHarm: HarmModel = {
  format: HARM_MODEL_FORMAT,
  model: "test",
  terms: [{ signal: "embeddingResidual", direction: "down", coefficient: 0.05 }],
  maxEffect: 8,
  hinge: 0,
  embeddingHinge: 0,
  error: { rmse: 0.004, maxAbs: 0.01, heldOut: "test" },
  fittedOn: { conditions: 0, families: 0, ridge: 0 },
};

async function detect(rows: number[][], model: HarmModel | null, w: ReturnType<typeof world>) {
  const people = Array.from({ length: 300 }, w.person);
  const refRows = people.flatMap((p) => [w.photo(p), w.photo(p)]);
  const groups = Int32Array.from(people.flatMap((_, i) => [i, i]));
  const profile = fitReferenceProfile(Float32Array.from(refRows.flat()), refRows.length, D, {
    components: K,
    groups,
    seed: 3,
  });
  expect(profile.residualLevel).toBeDefined();
  const reference = streamingReferenceOf(profile);
  reference.embeddingHarm = model;
  const x = Float32Array.from(rows.flat());
  const seqs = rows.map((_, i) => i + 1);
  let state: Record<string, unknown> | null = null;
  const found: Detection[] = [];
  for (let from = 0; from < rows.length; from += 250) {
    const to = Math.min(rows.length, from + 250);
    const batch = x.subarray(from * D, to * D);
    const result = await runDetectors(
      reference,
      state,
      from,
      { seqs: seqs.slice(from, to), x: batch, componentScores: projectPca(reference.pca, batch, to - from) },
      {
        windowStart: async (afterSeq, count) => ({
          seqs: seqs.slice(afterSeq, afterSeq + count),
          x: x.subarray(afterSeq * D, (afterSeq + count) * D),
        }),
        before: async (beforeSeq, count) => {
          const start = Math.max(0, beforeSeq - 1 - count);
          return { seqs: seqs.slice(start, beforeSeq - 1), x: x.subarray(start * D, (beforeSeq - 1) * D) };
        },
      },
    );
    state = result.state as unknown as Record<string, unknown>;
    found.push(...result.detections);
  }
  return found;
}

describe("embedding findings priced from the embeddings alone", () => {
  it("prices an input change that washes out identity detail, critical-sized, and only after it", async () => {
    const w = world(21);
    const before = Array.from({ length: 1000 }, () => w.photo(w.person()));
    const after = Array.from({ length: 1000 }, () => w.photo(w.person(), 0.4));
    const found = await detect([...before, ...after], embeddingHarm, w);
    const input = found.filter((d) => d.category === "input");
    expect(input.length).toBeGreaterThan(0);
    expect(input.every((d) => d.seq > 1000)).toBe(true);
    const priced = input.filter((d) => d.impact);
    expect(priced.length).toBe(input.length);
    expect(Math.max(...priced.map((d) => d.impact?.deltaAuc ?? 0))).toBeGreaterThan(0.01);
    expect(priced[0]?.impact?.error).toBe(0.004);
  });

  it("calls a new population a population finding: its faces keep the detail new people show", async () => {
    const w = world(23);
    const found = await detect(
      [
        ...Array.from({ length: 1000 }, () => w.photo(w.person())),
        ...Array.from({ length: 1000 }, () => w.photo(w.stranger())),
      ],
      embeddingHarm,
      w,
    );
    // The statistics see the new people; the detail test says who changed, not how.
    expect(found.filter((d) => d.seq > 1000).length).toBeGreaterThan(0);
    for (const d of found) {
      expect(d.category).toBe("population");
      expect(d.detail?.lost).toBe(false);
      expect(d.people).toBeUndefined();
      expect(d.impact).toBeUndefined();
    }
  });

  it("leaves population findings and streams without an embedding-only model unpriced", async () => {
    const w = world(22);
    const staff = Array.from({ length: 10 }, w.person);
    const door = await detect(
      Array.from({ length: 1500 }, () => w.photo(staff[w.pick(10)] as number[])),
      embeddingHarm,
      w,
    );
    expect(door.length).toBeGreaterThan(0);
    for (const d of door) {
      expect(d.category).toBe("population");
      expect(d.detail).toBeDefined();
      expect(d.impact).toBeUndefined();
    }
    const unpriced = await detect(
      [
        ...Array.from({ length: 1000 }, () => w.photo(w.person())),
        ...Array.from({ length: 1000 }, () => w.photo(w.person(), 0.4)),
      ],
      null,
      w,
    );
    expect(unpriced.some((d) => d.category === "input")).toBe(true);
    expect(unpriced.every((d) => d.impact === undefined)).toBe(true);
  });
});
