import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import type { ReferenceProfileJson } from "../db/schema/reference-set.ts";
import { openMigratedTestDatabase, TEST_DRIVERS } from "../db/testing/postgres-database.ts";
import type { Logger } from "../log.ts";
import { streamingMetricsSnapshot, streamLag } from "./metrics.ts";
import { readAfterByCopy } from "./read.ts";
import {
  driftEventsOf,
  ingestRows,
  referenceProfile,
  SHIFT_AT,
  seedStream,
  streamRows,
} from "./testing/fixture.ts";
import { StreamingWorker } from "./worker.ts";

describe.each(TEST_DRIVERS)("StreamingWorker (%s)", (driver) => {
  let opened: Awaited<ReturnType<typeof openMigratedTestDatabase>>;
  let database: Database;
  let shifted: Awaited<ReturnType<typeof seedStream>>;
  let steady: number;
  let broken: Awaited<ReturnType<typeof seedStream>>;
  let unmonitored: number;
  let legacy: number;
  const LEGACY_ROWS = 2500;

  beforeAll(async () => {
    opened = await openMigratedTestDatabase(driver, "streaming_worker");
    database = opened.database;
    shifted = await seedStream(database, "lobby");
    // The same population without the shift.
    steady = (await seedStream(database, "steady", { rows: SHIFT_AT })).streamId;
    // A reference whose profile does not match the stream: every batch of this stream throws.
    broken = await seedStream(database, "broken", {
      reference: {
        format: "facedrift.reference-profile/1",
        pca: { dim: 2, mean: [0, 0], components: [1, 0] },
        adwin: { delta: 0.002 },
      },
      rows: 100,
    });
    unmonitored = (await seedStream(database, "no-reference", { reference: false, rows: 100 })).streamId;
    // A profile fitted before the residual ADWIN and the MMD window: it runs PC1 alone.
    const { residual: _, mmdWindow: __, featureWindow: ___, ...old } = referenceProfile();
    legacy = (
      await seedStream(database, "legacy", {
        reference: old as unknown as ReferenceProfileJson,
        rows: LEGACY_ROWS,
      })
    ).streamId;
  }, 120_000);

  afterAll(async () => {
    await opened?.close();
  });

  it("catches up, records the shift shortly after it and nowhere before, and isolates a failing stream", {
    timeout: 120_000,
  }, async () => {
    const logs: { level: string; message: string }[] = [];
    const log: Logger = (level, message) => logs.push({ level, message });
    const before = streamingMetricsSnapshot();
    // As servers run it: batches read with binary COPY.
    const worker = new StreamingWorker({
      db: database.db,
      read: readAfterByCopy(database),
      pollIntervalMs: 20,
      log,
    });
    worker.start();
    await worker.caughtUp();

    // Ingestion into the failing stream is not held up by its detector.
    const tenantId = broken.tenantId;
    await ingestRows(database, tenantId, "broken", streamRows(), 100, 110);
    await worker.caughtUp();
    await worker.stop();

    const events = await driftEventsOf(database, shifted.streamId);
    const shiftSeq = shifted.seqs[SHIFT_AT] as number;
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.seq >= shiftSeq)).toBe(true);
    const firstOrdinal = shifted.seqs.indexOf(events[0]?.seq as number);
    expect(firstOrdinal - SHIFT_AT).toBeLessThan(300);
    expect(events[0]?.meanAfter).toBeLessThan(events[0]?.meanBefore as number);
    expect(events[0]?.details).toMatchObject({ referenceVersion: 1, widthBefore: expect.any(Number) });

    const alerts = await queryRows<{ detector: string; severity: string; payload: string }>(
      database.db,
      sql`SELECT detector, severity, payload::text AS payload FROM alerts WHERE stream_id = ${shifted.streamId} ORDER BY id`,
    );
    expect(alerts).toHaveLength(events.length);
    expect(alerts[0]).toMatchObject({ detector: "stream", severity: "warning" });
    const payload = JSON.parse(alerts[0]?.payload ?? "{}");
    expect(payload).toMatchObject({ seq: events[0]?.seq, notified: "opened" });
    expect(payload.numbers.pc1MeanAfter).toBeCloseTo(events[0]?.meanAfter as number, 12);
    // One shift, one incident: the rest of its findings attach to it without a notification.
    expect(alerts.slice(1).every((a) => JSON.parse(a.payload).notified === null)).toBe(true);

    expect(await driftEventsOf(database, steady)).toEqual([]);
    expect(await driftEventsOf(database, broken.streamId)).toEqual([]);
    expect(logs.some((l) => l.level === "error" && l.message === "streaming: batch failed")).toBe(true);
    // The old profile is said once, not once per batch (it took three), and shows in the gauge.
    // (The fixture's embeddings carry no quality signals, so every reference says that too, once.)
    const limited = logs.filter((l) => l.level === "warn" && l.message.includes("runs without"));
    expect(limited.filter((l) => l.message.includes("PCA-residual")).map((l) => l.message)).toEqual([
      expect.stringMatching(
        /^streaming: reference set \d+ runs without the PCA-residual ADWIN \(fitted before it existed; refit the reference to add it\); the MMD window/,
      ),
    ]);
    expect(new Set(limited.map((l) => l.message)).size).toBe(limited.length);

    // Leases were released on stop; the lag is zero except where the detector fails.
    const cursors = await queryRows<{ stream_id: string; owner: string | null }>(
      database.db,
      sql`SELECT stream_id::text AS stream_id, owner FROM stream_cursors ORDER BY stream_id`,
    );
    expect(cursors.every((c) => c.owner === null)).toBe(true);
    expect(cursors.map((c) => Number(c.stream_id))).not.toContain(unmonitored);
    const lag = new Map((await streamLag(database.db)).map((l) => [l.streamId, l.lag]));
    expect(lag.get(shifted.streamId)).toBe(0);
    expect(lag.get(steady)).toBe(0);
    expect(lag.get(broken.streamId)).toBe(110);
    expect(lag.has(unmonitored)).toBe(false);

    const after = streamingMetricsSnapshot();
    expect(after.processedTotal - before.processedTotal).toBe(SHIFT_AT + 1000 + SHIFT_AT + LEGACY_ROWS);
    expect(after.detectionsTotal - before.detectionsTotal).toBe(events.length);
    expect(after.errorsTotal).toBeGreaterThan(before.errorsTotal);
    expect(after.ownedStreams).toBe(0);
    expect(after.streams.find((s) => s.streamId === shifted.streamId)?.processedSeq).toBe(
      shifted.seqs.at(-1),
    );
    expect(after.streams.find((s) => s.streamId === shifted.streamId)?.detectors).toBe(3);
    expect(after.streams.find((s) => s.streamId === legacy)?.detectors).toBe(1);
  });

  it("names a batch size that is not a positive integer", () => {
    for (const batchSize of [0, -5, 2.5, Number.NaN])
      expect(() => new StreamingWorker({ db: database.db, batchSize, alertStore: false })).toThrow(
        /^batchSize must be a positive integer/,
      );
  });
});
