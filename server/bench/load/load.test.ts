/**
 * The load test's exactly-once path, kept from rotting: the verifier must catch each way data can
 * be lost or doubled, and a two-second run against a real server must pass it. Speed is not
 * asserted here (that is `npm run bench:load`).
 */
import { describe, expect, it } from "vitest";
import { ownPostgresUnavailableBecause } from "../../src/db/testing/own-postgres.ts";
import { measureTarget } from "./measure.ts";
import { type ClientLedger, type StoredCounts, verifyExactlyOnce } from "./verify.ts";

const BATCH = 10;

/** Requests 0–3 issued; 0–2 acknowledged; 3 cut off and never stored. */
const ledger: ClientLedger = {
  batch: BATCH,
  issued: new Set([0, 1, 2, 3]),
  acknowledged: new Map([0, 1, 2].map((r) => [r, { accepted: BATCH, duplicates: 0 }])),
};
const consistent = (): StoredCounts & { byRequest: Map<number, number> } => ({
  rows: 30,
  distinctIds: 30,
  ledgerIds: 30,
  byRequest: new Map([
    [0, BATCH],
    [1, BATCH],
    [2, BATCH],
  ]),
});

describe("verifyExactlyOnce", () => {
  it("accepts a consistent run, counting an unanswered request stored whole", () => {
    expect(verifyExactlyOnce(ledger, consistent())).toMatchObject({
      ok: true,
      problems: [],
      acceptedTotal: 30,
    });
    const cutOffButStored = consistent();
    cutOffButStored.byRequest.set(3, BATCH);
    Object.assign(cutOffButStored, { rows: 40, distinctIds: 40, ledgerIds: 40 });
    expect(verifyExactlyOnce(ledger, cutOffButStored)).toMatchObject({ ok: true, unacknowledgedStored: 1 });
  });

  it("catches a lost acknowledged item, a doubled row, a partial batch and a stray row", () => {
    const lost = consistent();
    lost.byRequest.set(1, BATCH - 1);
    Object.assign(lost, { rows: 29, distinctIds: 29, ledgerIds: 29 });
    expect(verifyExactlyOnce(ledger, lost).problems.join("\n")).toMatch(
      /request 1 was acknowledged but 9\/10/,
    );

    const doubled = consistent();
    doubled.byRequest.set(2, BATCH + 1);
    Object.assign(doubled, { rows: 31 });
    const doubledCheck = verifyExactlyOnce(ledger, doubled);
    expect(doubledCheck.duplicateRows).toBe(1);
    expect(doubledCheck.problems.join("\n")).toMatch(/1 rows repeat an id/);

    const partial = consistent();
    partial.byRequest.set(3, 4);
    Object.assign(partial, { rows: 34, distinctIds: 34, ledgerIds: 34 });
    expect(verifyExactlyOnce(ledger, partial).problems.join("\n")).toMatch(
      /request 3 \(unacknowledged\) is partly stored: 4\/10/,
    );

    const stray = consistent();
    stray.byRequest.set(Number.NaN, 1);
    Object.assign(stray, { rows: 31, distinctIds: 31, ledgerIds: 31 });
    expect(verifyExactlyOnce(ledger, stray).problems.join("\n")).toMatch(/never sent/);

    const ledgerGap = Object.assign(consistent(), { ledgerIds: 29 });
    expect(verifyExactlyOnce(ledger, ledgerGap).ok).toBe(false);
  });
});

describe("a short load run against the real server", () => {
  it("stores every acknowledged embedding exactly once", async () => {
    const result = await measureTarget("pglite", { durationS: 2, connections: 2, batch: 20, dim: 16 });
    expect(result.verification.problems).toEqual([]);
    expect(result.requests.acknowledged).toBeGreaterThan(0);
    expect(result.requests.non2xx).toEqual({});
    expect(result.verification.rows).toBeGreaterThanOrEqual(result.requests.acknowledged * 20);
    expect(result.latencyMs.p99).toBeGreaterThanOrEqual(result.latencyMs.p50);
  }, 180_000);
});

// The real-PostgreSQL targets start a cluster of their own; under CI (which installs PostgreSQL
// and pgvector) they must run, elsewhere they skip without one.
const noOwnPostgres = ownPostgresUnavailableBecause();
if (noOwnPostgres && process.env.CI)
  throw new Error(`bench:load's postgres targets cannot run: ${noOwnPostgres}`);

describe.skipIf(noOwnPostgres !== null)("a short load run against two servers on the real PostgreSQL", () => {
  it("stores every acknowledged embedding exactly once and reports what the database did", async () => {
    const result = await measureTarget("postgres-2", {
      durationS: 2,
      connections: 2,
      batch: 20,
      dim: 16,
      streams: 2,
    });
    expect(result.verification.problems).toEqual([]);
    expect(result.servers).toBe(2);
    expect(result.streams).toBe(2);
    expect(result.requests.acknowledged).toBeGreaterThan(0);
    expect(result.requests.non2xx).toEqual({});
    // The observation is read from the database, not made up: WAL was written for the rows, and
    // the ingest COPY is among the statements that took its time.
    const observed = result.postgres;
    expect(observed?.walBytes).toBeGreaterThan(result.verification.rows * 16 * 4);
    expect(observed?.topStatements.some((s) => s.query.startsWith("COPY embeddings"))).toBe(true);
    expect(observed?.settings.shared_buffers).toBe("131072 8kB");
  }, 180_000);
});
