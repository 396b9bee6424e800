import { fitReferenceProfile, syntheticModel, timeBlocks, verificationMetrics } from "@facedrift/stats";
import { afterAll, describe, expect, it } from "vitest";
import { FacedriftError } from "../errors.ts";
import { ComputePool, MAX_QUEUED_TASKS } from "./pool.ts";

const pool = new ComputePool(1);
afterAll(() => pool.close());

const d = 16;
const sample = (n: number, seed: number) =>
  Float32Array.from(syntheticModel({ dimension: d, modelSeed: 3 }).sample(n, seed));

describe("ComputePool", () => {
  it("gives the worker's results exactly as the same call on this thread", async () => {
    const x = sample(600, 1);
    const options = { seed: 4, mmdSampleSize: 80, groups: timeBlocks(600, 10) };
    const expected = fitReferenceProfile(x, 600, d, options);
    const fitted = await pool.compute({
      kind: "fit-reference",
      x: x.slice(),
      n: 600,
      d,
      options,
      knn: { groups: options.groups, stored: [...Array(300).keys()], queries: 50, seed: 9 },
    });
    expect(fitted.profile).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(Array.from(fitted.x)).toEqual(Array.from(x));
    expect(fitted.knn?.threshold).toBeGreaterThan(0);

    const scores = [0.9, 0.2, 0.8, 0.4, 0.6];
    const labels = [1, 0, 1, 0, 0];
    expect(await pool.compute({ kind: "verification-metrics", scores, labels })).toEqual(
      verificationMetrics(scores, labels),
    );
  });

  it("keeps this thread free while a fit runs: timers keep firing", async () => {
    const n = 4000;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = Date.now();
    await pool.compute({
      kind: "fit-reference",
      x: sample(n, 2),
      n,
      d,
      options: { seed: 1, groups: timeBlocks(n, 10) },
      knn: { groups: timeBlocks(n, 10), stored: [...Array(n).keys()], queries: 1000, seed: 1 },
    });
    clearInterval(timer);
    const elapsed = Date.now() - started;
    // On this thread the fit would have let no timer fire until it returned.
    expect(ticks).toBeGreaterThan(Math.min(5, elapsed / 40));
  });

  it("hands back the worker's errors by name, and keeps working after them", async () => {
    const error = await pool
      .compute({ kind: "verification-metrics", scores: [0.1], labels: [1, 0] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/.+/);
    expect(
      await pool.compute({ kind: "verification-metrics", scores: [0.9, 0.1], labels: [1, 0] }),
    ).toMatchObject({
      auc: 1,
    });
  });

  it("refuses work beyond a bounded queue with a 503 to retry", async () => {
    const busy = new ComputePool(1);
    try {
      const x = sample(2000, 5);
      const task = () =>
        busy.compute({
          kind: "fit-reference",
          x: x.slice(),
          n: 2000,
          d,
          options: { seed: 1, groups: timeBlocks(2000, 10) },
          knn: { groups: timeBlocks(2000, 10), stored: [0, 1, 2], queries: 10, seed: 1 },
        });
      // One runs, MAX_QUEUED_TASKS wait; closing the pool below rejects them, which is expected.
      const accepted = Array.from({ length: MAX_QUEUED_TASKS + 1 }, () => task().catch(() => null));
      const refused = await task().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(FacedriftError);
      expect(refused).toMatchObject({ code: "unavailable" });
      await busy.close();
      await Promise.all(accepted);
    } finally {
      await busy.close();
    }
  });
});
