import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBatchCheck } from "../../batch/run.ts";
import { fittedDriftFixture } from "../../batch/testing/fixture.ts";
import { binShares, pc1Snapshots, SNAPSHOT_BINS, snapshotEdges } from "./pc1-snapshots.ts";

describe("PC1 snapshots of the latest batch windows", { timeout: 120_000 }, () => {
  let f: Awaited<ReturnType<typeof fittedDriftFixture>>;
  beforeAll(async () => {
    f = await fittedDriftFixture();
  }, 120_000);
  afterAll(() => f.database.close());

  it("bins on the reference's central 99 %, the end bins open", () => {
    const edges = snapshotEdges(
      Array.from({ length: 1001 }, (_, i) => i / 10),
      10,
    );
    expect(edges).toHaveLength(11);
    expect(edges[0]).toBeCloseTo(0.5, 9);
    expect(edges[10]).toBeCloseTo(99.5, 9);
    expect(binShares([-50, 0.6, 50, 99.6, 1e9, Number.NaN], edges)).toEqual([
      0.4, 0, 0, 0, 0, 0.2, 0, 0, 0, 0.4,
    ]);
    expect(snapshotEdges([3, 3, 3], 2)).toEqual([2.5, 3, 3.5]);
    expect(snapshotEdges([])).toEqual([]);
  });

  it("shows each run's window against the reference, oldest first; the drifted one moved", async () => {
    expect(await pc1Snapshots(f.database.db, { streamId: f.streamId, runs: 6 })).toMatchObject({
      snapshots: [],
    });
    const clean = await runBatchCheck(f.database, {
      streamId: f.streamId,
      kind: "manual",
      window: f.day(1),
      dispatch: () => {},
    });
    const shifted = await runBatchCheck(f.database, {
      streamId: f.streamId,
      kind: "manual",
      window: f.day(2),
      dispatch: () => {},
    });
    const result = await pc1Snapshots(f.database.db, { streamId: f.streamId, runs: 6 });
    expect(result.edges).toHaveLength(SNAPSHOT_BINS + 1);
    expect(result.reference?.sampleSize).toBeGreaterThan(100);
    expect(result.snapshots.map((s) => [s.runId, s.n, s.drift])).toEqual([
      [clean.id, 1000, false],
      [shifted.id, 1000, true],
    ]);
    const distance = (shares: number[]) =>
      shares.reduce((sum, share, i) => sum + Math.abs(share - (result.referenceShares[i] as number)), 0) / 2;
    for (const s of [...result.snapshots, { shares: result.referenceShares }])
      expect(s.shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    const [before, after] = result.snapshots.map((s) => distance(s.shares)) as [number, number];
    expect(after).toBeGreaterThan(before * 2);
    expect(result.snapshots[1]?.psiPc1).toBe(
      (shifted.results as { psi: { values: number[] } }).psi.values[0],
    );
    // Only the latest `runs`.
    expect(
      (await pc1Snapshots(f.database.db, { streamId: f.streamId, runs: 1 })).snapshots.map((s) => s.runId),
    ).toEqual([shifted.id]);
  });
});
