import { seededRng } from "@facedrift/stats";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { openMigratedTestDatabase, TEST_DRIVERS } from "../db/testing/postgres-database.ts";
import { FacedriftError } from "../errors.ts";
import { ingestEmbeddings } from "../services/embeddings/ingest.ts";
import { acquireStreamLease } from "../services/stream-cursors/lease.ts";
import { processExtractionReports } from "./extraction.ts";
import { DIMENSION, seedStream } from "./testing/fixture.ts";
import { StreamingWorker } from "./worker.ts";

const model = { id: "synthetic", version: "1" };

describe.each(TEST_DRIVERS)("faces lost in streams of embeddings (%s)", (driver) => {
  let opened: Awaited<ReturnType<typeof openMigratedTestDatabase>>;
  let database: Database;
  let tenantId: number;

  beforeAll(async () => {
    opened = await openMigratedTestDatabase(driver, "streaming_extraction");
    database = opened.database;
  }, 120_000);
  afterAll(async () => {
    await opened?.close();
  });

  /** A monitored stream with a few embeddings (the detectors of embeddings have little to do). */
  const monitored = async (name: string) => {
    const seeded = await seedStream(database, name, { rows: 50 });
    tenantId = seeded.tenantId;
    return seeded.streamId;
  };
  const vector = () => Buffer.from(new Float32Array(DIMENSION).fill(0.1).buffer).toString("base64");
  /**
   * Sends `reports` batches of `size` attempts, each failing with probability `rate(report)`;
   * a batch whose every attempt failed carries no items (the silent case).
   */
  const send = async (
    stream: string,
    from: number,
    reports: number,
    rate: (i: number) => number,
    seed = 1,
  ) => {
    const rng = seededRng(seed + from);
    const size = 40;
    for (let i = from; i < from + reports; i++) {
      let noFace = 0;
      for (let k = 0; k < size; k++) if (rng() < rate(i)) noFace++;
      const faces = Math.min(2, size - noFace);
      await ingestEmbeddings(database, {
        tenantId,
        stream,
        model,
        items: Array.from({ length: faces }, (_, k) => ({
          id: `${stream}-r${i}-${k}`,
          ts: 1_790_000_000_000 + i * 1000,
          embedding_b64: vector(),
        })),
        extraction: { id: `${stream}-r${i}`, attempted: size, no_face: noFace },
      });
    }
  };
  const findings = async (streamId: number) =>
    await queryRows<{ kind: string; severity: string; category: string; title: string; impact: string }>(
      database.db,
      sql`SELECT payload->>'kind' AS kind, severity, category, payload->>'title' AS title,
            (payload->'impact')::text AS impact
          FROM alerts WHERE stream_id = ${streamId} AND payload->>'kind' = 'faces-lost-stream' ORDER BY id`,
    );
  const runWorker = async () => {
    const worker = new StreamingWorker({ db: database.db, pollIntervalMs: 10, alertStore: false });
    worker.start();
    await worker.caughtUp();
    await worker.stop();
  };

  it("validates a report before writing anything, naming the field", async () => {
    const streamId = await monitored("checked");
    const bad: [Record<string, unknown>, string][] = [
      [{ id: "a", attempted: 5, no_face: 6 }, "extraction.no_face"],
      [{ id: "a", attempted: 0, no_face: 0 }, "extraction.attempted"],
      [{ id: "a", attempted: 2_000_000, no_face: 0 }, "extraction.attempted"],
      [{ id: "a", attempted: 5, no_face: -1 }, "extraction.no_face"],
      [{ id: "", attempted: 5, no_face: 1 }, "extraction.id"],
    ];
    for (const [extraction, field] of bad) {
      const error = await ingestEmbeddings(database, {
        tenantId,
        stream: "checked",
        model,
        items: [{ id: "never", ts: 1_790_000_000_000, embedding_b64: vector() }],
        extraction: extraction as never,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FacedriftError);
      expect((error as FacedriftError).field).toBe(field);
    }
    const stored = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT (SELECT count(*) FROM extraction_reports WHERE stream_id = ${streamId})::int
               + (SELECT count(*) FROM embeddings WHERE stream_id = ${streamId} AND client_id = 'never')::int AS n`,
    );
    expect(stored[0]?.n).toBe(0);
  });

  it("counts a resent batch once", async () => {
    const streamId = await monitored("resent");
    const batch = {
      tenantId,
      stream: "resent",
      model,
      items: [{ id: "only", ts: 1_790_000_000_000, embedding_b64: vector() }],
      extraction: { id: "b1", attempted: 10, no_face: 3 },
    };
    expect((await ingestEmbeddings(database, batch)).extraction).toEqual({ accepted: true, seq: 1 });
    expect(await ingestEmbeddings(database, batch)).toMatchObject({
      accepted: 0,
      duplicates: 1,
      extraction: { accepted: false, seq: 1 },
    });
    const [row] = await queryRows<{ reports: number; last: string }>(
      database.db,
      sql`SELECT (SELECT count(*) FROM extraction_reports WHERE stream_id = ${streamId})::int AS reports,
                 last_extraction_seq::text AS last FROM streams WHERE id = ${streamId}`,
    );
    expect(row).toEqual({ reports: 1, last: "1" });
  });

  it("finds the jump 2 % → 60 % within 1,000 attempts, as a costly input finding that states the cost", {
    timeout: 120_000,
  }, async () => {
    const streamId = await monitored("pixelated");
    // 75 reports (3,000 attempts) at 2 %, then 25 (1,000 attempts) at 60 %.
    await send("pixelated", 0, 75, () => 0.02);
    await runWorker();
    expect(await findings(streamId)).toEqual([]);
    await send("pixelated", 75, 25, () => 0.6);
    await runWorker();
    const found = await findings(streamId);
    expect(found).toHaveLength(1);
    const [finding] = found;
    expect(finding).toMatchObject({ severity: "critical", category: "input" });
    expect(finding?.title).toMatch(/^Faces lost on pixelated: predicted ΔAUC 0\.\d{3} ± 0\.\d{3}/);
    // The new level is measured: the rise is 0.58 up to sampling error.
    expect(Math.abs(JSON.parse(finding?.impact ?? "{}").deltaAuc - 0.58)).toBeLessThan(0.1);
    // Within 1,000 attempts of the jump: fired on the block after it (reports 76–80), reported
    // with the next (81–85), 400 attempts after it.
    const [details] = await queryRows<{ to: string }>(
      database.db,
      sql`SELECT payload->'reportSeqs'->>'to' AS to FROM alerts
          WHERE stream_id = ${streamId} AND payload->>'kind' = 'faces-lost-stream'`,
    );
    expect(Number(details?.to)).toBeLessThanOrEqual(75 + 10);
    expect(Number(details?.to)).toBeGreaterThanOrEqual(75 + 5);
    expect(Number(details?.to)).toBeGreaterThan(75);
  });

  it("stays silent on a clean run of 6,000 attempts", { timeout: 120_000 }, async () => {
    const streamId = await monitored("clean");
    await send("clean", 0, 150, () => 0.05, 7);
    await runWorker();
    expect(await findings(streamId)).toEqual([]);
    const [cursor] = await queryRows<{ seq: string }>(
      database.db,
      sql`SELECT extraction_seq::text AS seq FROM stream_cursors WHERE stream_id = ${streamId}`,
    );
    expect(cursor?.seq).toBe("150");
  });

  it("catches a stream that falls silent: batches with attempts and no face at all", {
    timeout: 120_000,
  }, async () => {
    const streamId = await monitored("capped");
    await send("capped", 0, 60, () => 0.02);
    const [{ last } = { last: "" }] = await queryRows<{ last: string }>(
      database.db,
      sql`SELECT last_seq::text AS last FROM streams WHERE id = ${streamId}`,
    );
    await runWorker();
    // A lens cap: every attempt fails, no embedding arrives.
    await send("capped", 60, 15, () => 1);
    const [after] = await queryRows<{ last: string }>(
      database.db,
      sql`SELECT last_seq::text AS last FROM streams WHERE id = ${streamId}`,
    );
    expect(after?.last).toBe(last);
    await runWorker();
    const found = await findings(streamId);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: "critical", category: "input" });
  });

  it("keeps running the stream's embedding detectors when its extraction reports fail", {
    timeout: 120_000,
  }, async () => {
    const streamId = await monitored("poisoned");
    await send("poisoned", 0, 10, () => 0.02);
    await runWorker();
    const cursor = async () =>
      (
        await queryRows<{ cursor: string; extraction: string; last: string; reports: string }>(
          database.db,
          sql`SELECT c.last_seq::text AS cursor, c.extraction_seq::text AS extraction,
                s.last_seq::text AS last, s.last_extraction_seq::text AS reports
              FROM stream_cursors c JOIN streams s ON s.id = c.stream_id WHERE c.stream_id = ${streamId}`,
        )
      )[0];
    expect(await cursor()).toMatchObject({ extraction: "10", reports: "10" });
    // Any failure of the reports' path (here a checkpoint it cannot read) must not hold back the
    // embeddings: a poisoned report once stopped every detector of its stream.
    await database.db.execute(
      sql`UPDATE stream_cursors SET extraction_state = '{"format": 2, "blocks": [{}]}'::jsonb
          WHERE stream_id = ${streamId}`,
    );
    await send("poisoned", 10, 5, () => 0.02);
    await runWorker();
    const after = await cursor();
    expect(after?.cursor).toBe(after?.last);
    expect(after?.extraction).toBe("10");
  });

  it("writes nothing when it dies before the commit, and the next owner finds the same finding", {
    timeout: 120_000,
  }, async () => {
    const streamId = await monitored("crashed");
    await send("crashed", 0, 80, (i) => (i < 70 ? 0.02 : 0.7), 3);
    const stream = { id: streamId, tenantId, name: "crashed" };
    const options = { leaseMs: 60_000, dashboardBaseUrl: "http://localhost/" };
    const dying = await acquireStreamLease(database.db, streamId, "dying", 60_000);
    if (!dying) throw new Error("no lease");
    const crash = await processExtractionReports(database.db, stream, dying, {
      ...options,
      owner: "dying",
      beforeCommit: () => {
        throw new Error("killed");
      },
    }).catch((e: unknown) => e);
    expect(crash).toEqual(new Error("killed"));
    expect(await findings(streamId)).toEqual([]);
    // Its lease runs out.
    await database.db.execute(
      sql`UPDATE stream_cursors SET lease_until = now() - interval '1 second' WHERE stream_id = ${streamId}`,
    );
    const next = await acquireStreamLease(database.db, streamId, "next", 60_000);
    expect(next).toMatchObject({ extractionSeq: 0, extractionState: null });
    if (!next) return;
    const done = await processExtractionReports(database.db, stream, next, { ...options, owner: "next" });
    expect(done).toMatchObject({ status: "processed", processed: 80 });
    expect(await findings(streamId)).toHaveLength(1);
  });

  it("finds the same window when the reports are replayed from the start in other pages (a takeover)", {
    timeout: 120_000,
  }, async () => {
    const streamId = await monitored("replayed");
    await send("replayed", 0, 80, (i) => (i < 70 ? 0.02 : 0.7));
    const lease = await acquireStreamLease(database.db, streamId, "crashing", 60_000);
    if (!lease) throw new Error("no lease");
    const stream = { id: streamId, tenantId, name: "replayed" };
    const options = { owner: "crashing", leaseMs: 60_000, dashboardBaseUrl: "http://localhost/" };
    // One step over every report; then the checkpoint is wound back, as if it had not committed.
    const first = await processExtractionReports(database.db, stream, lease, { ...options, limit: 1000 });
    expect(first.status).toBe("processed");
    if (first.status !== "processed") return;
    expect(first.findings).toHaveLength(1);
    await database.db.execute(
      sql`UPDATE stream_cursors SET extraction_seq = 0, extraction_state = NULL WHERE stream_id = ${streamId}`,
    );
    await database.db.execute(sql`DELETE FROM alerts WHERE stream_id = ${streamId}`);
    // A successor in pages of 7 reports finds the same window.
    const successor = await acquireStreamLease(database.db, streamId, "crashing", 60_000);
    if (!successor) throw new Error("no lease");
    let position = { extractionSeq: successor.extractionSeq, extractionState: successor.extractionState };
    const again = [];
    for (;;) {
      const step = await processExtractionReports(database.db, stream, position, { ...options, limit: 7 });
      if (step.status !== "processed") break;
      again.push(...step.findings);
      position = step.position;
    }
    expect(again).toEqual(first.findings);
    expect(await findings(streamId)).toHaveLength(1);
  });
});
