/**
 * The streaming worker's server path — pages read ahead by binary COPY (`readAhead`), scores
 * stored by binary COPY before the commit (`writeScoresByCopy`) — against the plain path (text
 * pages, scores inside the commit), on PGlite and on the real PostgreSQL: same events, same
 * checkpoint, same cached scores, also when an owner dies before its commit and another
 * replays the batch whose scores were already written.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { openMigratedTestDatabase, TEST_DRIVERS } from "../db/testing/postgres-database.ts";
import { acquireStreamLease } from "../services/stream-cursors/lease.ts";
import type { StreamState } from "./detectors.ts";
import {
  type BatchOptions,
  type CursorPosition,
  processStreamBatch,
  type StreamRef,
} from "./process-batch.ts";
import { type ReadAfter, readAfterByCopy, readAfterByText, readAhead } from "./read.ts";
import { encodeScoresCopy, writeScoresByCopy } from "./score-cache.ts";
import { driftEventsOf, seedStream } from "./testing/fixture.ts";
import { POSTGRES_STREAM_BATCH } from "./worker.ts";

describe.each(TEST_DRIVERS)("streaming server path on %s", (driver) => {
  let database: Database;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ database, close } = await openMigratedTestDatabase(driver, "server_path"));
  }, 120_000);

  afterAll(async () => {
    await close?.();
  });

  const options = (owner: string, batchSize: number, extra: Partial<BatchOptions> = {}): BatchOptions => ({
    owner,
    leaseMs: 60_000,
    batchSize,
    dashboardBaseUrl: "http://dash.test/",
    ...extra,
  });

  async function lease(streamId: number, owner: string, leaseMs = 60_000): Promise<CursorPosition> {
    const cursor = await acquireStreamLease(database.db, streamId, owner, leaseMs);
    if (!cursor) throw new Error(`${owner} could not take stream ${streamId}`);
    return cursor;
  }

  async function drain(stream: StreamRef, cursor: CursorPosition, opts: BatchOptions) {
    for (;;) {
      const outcome = await processStreamBatch(database.db, stream, cursor, opts);
      if (outcome.status !== "processed") return cursor;
      cursor = outcome.cursor;
    }
  }

  async function finalState(streamId: number, seqs: number[]) {
    const [row] = await queryRows<{ last_seq: string; adwin_state: string }>(
      database.db,
      sql`SELECT last_seq::text AS last_seq, adwin_state::text AS adwin_state FROM stream_cursors
          WHERE stream_id = ${streamId}`,
    );
    const state = JSON.parse(row?.adwin_state as string) as StreamState;
    // Seqs as ordinals, so two streams' states compare.
    return {
      lastSeq: seqs.indexOf(Number(row?.last_seq)),
      state: { ...state, mmd: state.mmd && { ...state.mmd, afterSeq: seqs.indexOf(state.mmd.afterSeq) } },
    };
  }

  const scoresOf = (streamId: number) =>
    queryRows<{ scores: string }>(
      database.db,
      sql`SELECT scores::text AS scores FROM embedding_scores WHERE stream_id = ${streamId} ORDER BY seq`,
    );

  const eventsOf = async (streamId: number, seqs: number[]) =>
    (await driftEventsOf(database, streamId)).map((e) => ({ ...e, seq: seqs.indexOf(e.seq) }));

  it("detects, checkpoints and caches what the plain path does, across a crash before a commit", {
    timeout: 180_000,
  }, async () => {
    const plain = await seedStream(database, "plain");
    const plainStream = { id: plain.streamId, tenantId: plain.tenantId, name: "plain" };
    await drain(
      plainStream,
      await lease(plain.streamId, "p"),
      options("p", 1000, { read: readAfterByText(database.db) }),
    );

    const fast = await seedStream(database, "fast");
    const fastStream = { id: fast.streamId, tenantId: fast.tenantId, name: "fast" };
    // Count the batch pages read (an open window's rows read again are not read ahead).
    let reads = 0;
    const copy = readAfterByCopy(database);
    const counted: ReadAfter = (streamId, afterSeq, limit, dimension, purpose) => {
      if (purpose !== "window") reads++;
      return copy(streamId, afterSeq, limit, dimension, purpose);
    };
    const serverPath = (owner: string, leaseMs: number, extra: Partial<BatchOptions> = {}) =>
      options(owner, 300, {
        leaseMs,
        // A page read ahead is dropped after maxAgeMs (1 s by default) as possibly stale; on a
        // loaded machine a batch (with its people checks) can take that long, and the count
        // below is about pages asked for, not about timing.
        read: readAhead(counted, 60_000),
        writeScores: writeScoresByCopy(database),
        ...extra,
      });
    // The first owner dies in the commit of the first batch with a detection: its scores are
    // already stored, its events and cursor are not.
    let cursor = await lease(fast.streamId, "doomed", 1500);
    let died = false;
    const doomed = serverPath("doomed", 1500, {
      beforeCommit: ({ detections }) => {
        if (detections > 0) {
          died = true;
          throw new Error("killed mid-batch");
        }
      },
    });
    await expect(
      (async () => {
        for (;;) {
          const outcome = await processStreamBatch(database.db, fastStream, cursor, doomed);
          if (outcome.status !== "processed") return;
          cursor = outcome.cursor;
        }
      })(),
    ).rejects.toThrow("killed mid-batch");
    expect(died).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    await drain(fastStream, await lease(fast.streamId, "successor"), serverPath("successor", 60_000));

    const events = await eventsOf(fast.streamId, fast.seqs);
    expect(events.length).toBeGreaterThan(0);
    expect(events).toEqual(await eventsOf(plain.streamId, plain.seqs));
    expect(await finalState(fast.streamId, fast.seqs)).toEqual(await finalState(plain.streamId, plain.seqs));
    const [fastScores, plainScores] = [await scoresOf(fast.streamId), await scoresOf(plain.streamId)];
    expect(fastScores.length).toBe(fast.seqs.length);
    expect(fastScores).toEqual(plainScores);
    // 4,000 rows in pages of 300: 14 pages; the read-ahead asks for each at most once more (the
    // page after the last full one, and the replayed page, which was never read ahead).
    expect(reads).toBeLessThanOrEqual(14 + 3);

    // Servers on PostgreSQL read pages of POSTGRES_STREAM_BATCH: here the whole stream in one.
    const large = await seedStream(database, "large");
    const largeStream = { id: large.streamId, tenantId: large.tenantId, name: "large" };
    await drain(
      largeStream,
      await lease(large.streamId, "l"),
      options("l", POSTGRES_STREAM_BATCH, {
        read: readAhead(readAfterByCopy(database), 60_000),
        writeScores: writeScoresByCopy(database),
      }),
    );
    expect(await eventsOf(large.streamId, large.seqs)).toEqual(events);
    expect(await finalState(large.streamId, large.seqs)).toEqual(
      await finalState(plain.streamId, plain.seqs),
    );
    expect(await scoresOf(large.streamId)).toEqual(plainScores);
  });

  it("stores the doubles it was given, bit for bit, and keeps rows already there", async () => {
    const s = await seedStream(database, "round-trip", { rows: 10 });
    const [ref] = await queryRows<{ id: string }>(
      database.db,
      sql`SELECT id::text AS id FROM reference_sets WHERE stream_id = ${s.streamId}`,
    );
    const k = 3;
    const scores = Float64Array.from(
      { length: s.seqs.length * k },
      (_, i) => Math.sin(i + 1) * 10 ** (i % 7),
    );
    const rows = { referenceSetId: Number(ref?.id), streamId: s.streamId, seqs: s.seqs, scores, k };
    const write = writeScoresByCopy(database);
    await write(rows);
    // Again, as a replay would: no conflict, the same rows.
    await write(rows);
    const stored = await queryRows<{ seq: string; scores: number[] | string }>(
      database.db,
      sql`SELECT seq::text AS seq, scores FROM embedding_scores WHERE stream_id = ${s.streamId} ORDER BY embedding_scores.seq`,
    );
    expect(stored.map((r) => Number(r.seq))).toEqual(s.seqs);
    const values = stored.flatMap((r) =>
      (typeof r.scores === "string" ? r.scores.slice(1, -1).split(",") : r.scores).map(Number),
    );
    expect(values).toEqual(Array.from(scores));
  });
});

describe("encodeScoresCopy", () => {
  it("refuses scores that do not match the rows", () => {
    expect(() =>
      encodeScoresCopy({ referenceSetId: 1, streamId: 1, seqs: [1, 2], scores: new Float64Array(5), k: 3 }),
    ).toThrow("expected 2×3");
  });
});
