import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, queryRows } from "../../db/database.ts";
import { migrateDatabase } from "../../db/migrate.ts";
import { openPglite } from "../../db/pglite.ts";
import { ensureTenant } from "../tenants/default.ts";
import { psiPersistsThroughRun } from "./psi-persistence.ts";

describe("psiPersistsThroughRun", () => {
  let database: Database;
  let streamId: number;
  let referenceIds: number[];
  let runId: (psi: number[], options?: { status?: string; reference?: number }) => Promise<number>;

  beforeAll(async () => {
    database = await openPglite();
    await migrateDatabase(database);
    const tenantId = await ensureTenant(database.db, "acme");
    const [stream] = await queryRows<{ id: number }>(
      database.db,
      sql`INSERT INTO streams (tenant_id, name, model_id, model_version, dimension)
          VALUES (${tenantId}, 'lobby', 'm', '1', 3) RETURNING id::int AS id`,
    );
    streamId = stream!.id;
    referenceIds = [];
    for (const version of [1, 2]) {
      const [reference] = await queryRows<{ id: number }>(
        database.db,
        sql`INSERT INTO reference_sets (stream_id, version, model_id, model_version, dimension)
            VALUES (${streamId}, ${version}, 'm', '1', 3) RETURNING id::int AS id`,
      );
      referenceIds.push(reference!.id);
    }
    runId = async (psi, { status = "succeeded", reference = referenceIds[0]! } = {}) => {
      const [row] = await queryRows<{ id: number }>(
        database.db,
        sql`INSERT INTO drift_runs (stream_id, reference_set_id, status, results)
            VALUES (${streamId}, ${reference}, ${status}, ${JSON.stringify({ psi: { values: psi } })}::jsonb)
            RETURNING id::int AS id`,
      );
      return row!.id;
    };
  }, 60_000);
  afterAll(() => database.close());

  const check = (id: number, current: number[], runs: number, reference = referenceIds[0]!) =>
    psiPersistsThroughRun(
      database.db,
      { streamId, runId: id, referenceSetId: reference, current },
      { threshold: 0.1, runs },
    );

  it("fires only when the same dimension stays at or above the threshold through the last runs", async () => {
    await runId([0.3, 0.02, 0.2]);
    await runId([0.05, 0.15, 0.12]);
    const current = await runId([0.4, 0.2, 0.11]);
    // Dimension 2 (0-based) is ≥ 0.1 in all three; dimension 0 dipped in the middle run.
    expect(await check(current, [0.4, 0.2, 0.11], 3)).toEqual({ fires: true, dimensions: [2] });
    expect(await check(current, [0.4, 0.2, 0.11], 2)).toEqual({ fires: true, dimensions: [1, 2] });
    expect(await check(current, [0.4, 0.01, 0.01], 2)).toEqual({ fires: false, dimensions: [] });
    expect(await check(current, [0.4, 0.2, 0.11], 1)).toEqual({ fires: true, dimensions: [0, 1, 2] });
  });

  it("skips failed runs and runs against another reference, and needs enough history", async () => {
    await runId([0.9, 0.9, 0.9], { status: "failed" });
    await runId([0.9, 0.9, 0.9], { reference: referenceIds[1]! });
    const current = await runId([0.01, 0.5, 0.01]);
    // The run before, on the same reference and succeeded, is [0.4, 0.2, 0.11]: dimension 1 persists.
    expect(await check(current, [0.01, 0.5, 0.01], 2)).toEqual({ fires: true, dimensions: [1] });
    const first = await runId([0.5, 0.5, 0.5], { reference: referenceIds[1]! });
    expect(await check(first, [0.5, 0.5, 0.5], 3, referenceIds[1]!)).toEqual({
      fires: false,
      dimensions: [],
    });
  });
});
