import { setTimeout as sleep } from "node:timers/promises";
import { Adwin, type AdwinState, Pc1Stream } from "@facedrift/stats";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { openPglite } from "../db/pglite.ts";
import type { ReferenceProfileJson } from "../db/schema/reference-set.ts";
import { acquireStreamLease } from "../services/stream-cursors/lease.ts";
import { STREAM_STATE_FORMAT, type StreamState } from "./detectors.ts";
import {
  type BatchOptions,
  type CursorPosition,
  processStreamBatch,
  type StreamRef,
} from "./process-batch.ts";
import { readAfterByCopy, readAfterByText } from "./read.ts";
import {
  addReference,
  DIMENSION,
  driftEventsOf,
  referenceProfile,
  seedStream,
  streamRows,
} from "./testing/fixture.ts";

let database: Database;

beforeAll(async () => {
  database = await openPglite();
  await migrateDatabase(database);
}, 120_000);

afterAll(async () => {
  await database?.close();
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

/** Processes batches until the stream is caught up; returns the last cursor. */
async function drain(stream: StreamRef, cursor: CursorPosition, opts: BatchOptions): Promise<CursorPosition> {
  for (;;) {
    const outcome = await processStreamBatch(database.db, stream, cursor, opts);
    if (outcome.status !== "processed") return cursor;
    cursor = outcome.cursor;
  }
}

async function storedCursor(streamId: number) {
  const [row] = await queryRows<{
    last_seq: string;
    adwin_state: string | null;
    reference_set_id: string | null;
  }>(
    database.db,
    sql`SELECT last_seq::text AS last_seq, adwin_state::text AS adwin_state, reference_set_id::text AS reference_set_id
        FROM stream_cursors WHERE stream_id = ${streamId}`,
  );
  return {
    lastSeq: Number(row?.last_seq),
    adwinState: row?.adwin_state ? JSON.parse(row.adwin_state) : null,
    referenceSetId: row?.reference_set_id ? Number(row.reference_set_id) : null,
  };
}

async function alertCount(streamId: number): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    database.db,
    sql`SELECT count(*)::int AS n FROM alerts WHERE stream_id = ${streamId}`,
  );
  return Number(row?.n);
}

/** Events with seqs as ordinals within their stream, so two streams' events compare. */
const byOrdinal = (events: Awaited<ReturnType<typeof driftEventsOf>>, seqs: number[]) =>
  events.map((e) => ({ ...e, seq: seqs.indexOf(e.seq), details: { ...e.details } }));

/** Seeds `name` (1,200 rows) and processes its first batch of 600 under a fresh lease. */
async function firstBatchOf(name: string, reference?: ReferenceProfileJson) {
  const s = await seedStream(database, name, { rows: 1200, ...(reference ? { reference } : {}) });
  const stream = { id: s.streamId, tenantId: s.tenantId, name };
  const outcome = await processStreamBatch(
    database.db,
    stream,
    await lease(s.streamId, name),
    options(name, 600),
  );
  if (outcome.status !== "processed") throw new Error(outcome.status);
  return { s, stream, outcome };
}

/** The checkpoint with the open MMD window's seq as an ordinal, so two streams' states compare. */
const stateByOrdinal = (state: unknown, seqs: number[]) => {
  const s = state as StreamState;
  return { ...s, mmd: s.mmd && { ...s.mmd, afterSeq: seqs.indexOf(s.mmd.afterSeq) } };
};

describe("processStreamBatch", () => {
  it("is exactly-once across a crash before commit: same events, same ADWIN state as an uninterrupted run", {
    timeout: 120_000,
  }, async () => {
    // (a) One uninterrupted owner, pages of 1,000.
    const a = await seedStream(database, "uninterrupted");
    const streamA = { id: a.streamId, tenantId: a.tenantId, name: "uninterrupted" };
    await drain(streamA, await lease(a.streamId, "a"), options("a", 1000));

    // (b) Pages of 300; the owner dies inside the transaction of the first batch with a
    // detection, after its events and alert rows were written and before the commit.
    const b = await seedStream(database, "crashed");
    const streamB = { id: b.streamId, tenantId: b.tenantId, name: "crashed" };
    let crashedAt: number | undefined;
    let cursor = await lease(b.streamId, "doomed", 2000);
    const crash = options("doomed", 300, {
      leaseMs: 2000,
      beforeCommit: ({ detections }) => {
        if (detections > 0) {
          crashedAt = cursor.lastSeq;
          throw new Error("killed mid-batch");
        }
      },
    });
    await expect(
      (async () => {
        for (;;) {
          const outcome = await processStreamBatch(database.db, streamB, cursor, crash);
          if (outcome.status !== "processed") return;
          cursor = outcome.cursor;
        }
      })(),
    ).rejects.toThrow("killed mid-batch");
    expect(crashedAt).toBeGreaterThan(0);
    // Nothing of the dying batch is visible: no events, no alerts, the cursor where it was.
    expect(await driftEventsOf(database, b.streamId)).toEqual([]);
    expect(await alertCount(b.streamId)).toBe(0);
    expect((await storedCursor(b.streamId)).lastSeq).toBe(crashedAt);

    // A new owner cannot take over before the dead one's lease expires, then resumes.
    expect(await acquireStreamLease(database.db, b.streamId, "successor", 60_000)).toBeNull();
    await sleep(2100);
    await drain(streamB, await lease(b.streamId, "successor"), options("successor", 1000));

    const eventsA = byOrdinal(await driftEventsOf(database, a.streamId), a.seqs);
    const eventsB = byOrdinal(await driftEventsOf(database, b.streamId), b.seqs);
    expect(eventsA.length).toBeGreaterThan(0);
    expect(eventsB).toEqual(eventsA);
    expect(new Set(eventsB.map((e) => e.seq)).size).toBe(eventsB.length);
    expect(await alertCount(b.streamId)).toBe(eventsB.length);
    const [finalA, finalB] = [await storedCursor(a.streamId), await storedCursor(b.streamId)];
    expect(stateByOrdinal(finalB.adwinState, b.seqs)).toEqual(stateByOrdinal(finalA.adwinState, a.seqs));
    // Every recommended detector fired on the shift, so the replay covered each one's state.
    expect(new Set(eventsA.map((e) => e.signal))).toEqual(new Set(["pc1", "residual", "mmd"]));
    expect(finalB.lastSeq).toBe(b.seqs.at(-1));
    // The score cache holds every embedding once, with the uninterrupted run's numbers.
    const cached = async (streamId: number) =>
      queryRows<{ n: number; scores: string }>(
        database.db,
        sql`SELECT count(*) OVER ()::int AS n, scores::text AS scores FROM embedding_scores
            WHERE stream_id = ${streamId} ORDER BY seq`,
      );
    const [scoresA, scoresB] = [await cached(a.streamId), await cached(b.streamId)];
    expect(scoresB.length).toBe(b.seqs.length);
    expect(scoresB.map((r) => r.scores)).toEqual(scoresA.map((r) => r.scores));
  });

  it("reads the same batches through binary COPY as through the text page: same events, alerts, cursor and ADWIN state", {
    timeout: 120_000,
  }, async () => {
    const text = await seedStream(database, "read-as-text");
    const copy = await seedStream(database, "read-by-copy");
    const streamText = { id: text.streamId, tenantId: text.tenantId, name: "read-as-text" };
    const streamCopy = { id: copy.streamId, tenantId: copy.tenantId, name: "read-by-copy" };
    // Pages of 700 do not divide the stream, so the last page is partial on both paths.
    await drain(
      streamText,
      await lease(text.streamId, "t"),
      options("t", 700, { read: readAfterByText(database.db) }),
    );
    await drain(
      streamCopy,
      await lease(copy.streamId, "c"),
      options("c", 700, { read: readAfterByCopy(database) }),
    );

    const eventsText = byOrdinal(await driftEventsOf(database, text.streamId), text.seqs);
    const eventsCopy = byOrdinal(await driftEventsOf(database, copy.streamId), copy.seqs);
    expect(eventsText.length).toBeGreaterThan(0);
    // Event times come from the stored rows on both paths (same ts per ordinal in the fixture).
    expect(eventsCopy).toEqual(eventsText);
    expect(await alertCount(copy.streamId)).toBe(await alertCount(text.streamId));
    const [finalText, finalCopy] = [await storedCursor(text.streamId), await storedCursor(copy.streamId)];
    expect(stateByOrdinal(finalCopy.adwinState, copy.seqs)).toEqual(
      stateByOrdinal(finalText.adwinState, text.seqs),
    );
    expect(finalCopy.lastSeq).toBe(copy.seqs.at(-1));
  });

  it("writes nothing when the lease was lost: a stale owner's batch is discarded", {
    timeout: 60_000,
  }, async () => {
    const s = await seedStream(database, "stolen", { rows: 500 });
    const stream = { id: s.streamId, tenantId: s.tenantId, name: "stolen" };
    const stale = await lease(s.streamId, "stale", 100);
    await sleep(150);
    const fresh = await lease(s.streamId, "fresh");
    expect(fresh.lastSeq).toBe(0);
    expect(await processStreamBatch(database.db, stream, stale, options("stale", 200))).toEqual({
      status: "lease-lost",
    });
    expect(await storedCursor(s.streamId)).toMatchObject({ lastSeq: 0, adwinState: null });
    const outcome = await processStreamBatch(database.db, stream, fresh, options("fresh", 200));
    expect(outcome).toMatchObject({ status: "processed", processed: 200, hasMore: true });
    expect((await storedCursor(s.streamId)).lastSeq).toBe(s.seqs[199]);
  });

  it("skips a stream without a reference, then starts from its first embedding once one exists; a new reference restarts ADWIN", {
    timeout: 60_000,
  }, async () => {
    const s = await seedStream(database, "late-reference", { reference: false, rows: 600 });
    const stream = { id: s.streamId, tenantId: s.tenantId, name: "late-reference" };
    let cursor = await lease(s.streamId, "w");
    expect(await processStreamBatch(database.db, stream, cursor, options("w", 500))).toEqual({
      status: "no-reference",
    });
    expect((await storedCursor(s.streamId)).lastSeq).toBe(0);

    const first = await addReference(database, s.streamId);
    const outcome = await processStreamBatch(database.db, stream, cursor, options("w", 500));
    if (outcome.status !== "processed") throw new Error(outcome.status);
    expect(outcome.processed).toBe(500);
    cursor = outcome.cursor;
    expect(cursor.referenceSetId).toBe(first);
    expect((cursor.adwinState as unknown as StreamState | null)?.pc1.window).toBeDefined();

    // Version 2 becomes active: the remaining 100 rows go into a fresh ADWIN.
    const second = await addReference(database, s.streamId);
    const next = await processStreamBatch(database.db, stream, cursor, options("w", 500));
    if (next.status !== "processed") throw new Error(next.status);
    expect(next.processed).toBe(100);
    expect(next.cursor.referenceSetId).toBe(second);
    const width = (state: unknown, signal: "pc1" | "residual") =>
      Adwin.fromJSON((state as StreamState)[signal] as AdwinState).width;
    expect(width(cursor.adwinState, "pc1")).toBe(500);
    expect(width(cursor.adwinState, "residual")).toBe(500);
    expect(width(next.cursor.adwinState, "pc1")).toBe(100);
    expect(width(next.cursor.adwinState, "residual")).toBe(100);
    // The window restarts with the reference too: 100 rows of the new one are in it, none of the old.
    expect((next.cursor.adwinState as unknown as StreamState).mmd).toEqual({
      pending: 100,
      afterSeq: s.seqs[499],
    });
    expect(await processStreamBatch(database.db, stream, next.cursor, options("w", 500))).toMatchObject({
      status: "idle",
    });
    expect(await driftEventsOf(database, s.streamId)).toEqual([]);
  });

  it("runs a profile fitted before the residual ADWIN and the MMD window on PC1 alone, and says so", {
    timeout: 60_000,
  }, async () => {
    const {
      residual: _,
      mmdWindow: __,
      featureWindow: ___,
      residualLevel: ____,
      ...old
    } = referenceProfile();
    const { outcome } = await firstBatchOf("old-profile", old as unknown as ReferenceProfileJson);
    expect(outcome).toMatchObject({
      status: "processed",
      detectors: 1,
      upgraded: false,
      limitation:
        "runs without the PCA-residual ADWIN (fitted before it existed; refit the reference to add it); " +
        "the MMD window (fitted before it existed; refit the reference to add it); " +
        "the quality window, which sees how faces are captured whoever they are (no quality signals were given with the reference embeddings); a person test tells a few people seen over and over from an input change instead, but a new population looks like an input change to it (refit the reference for the detail test, which tells them apart)",
    });
    expect(outcome.cursor.adwinState).toMatchObject({
      format: STREAM_STATE_FORMAT,
      residual: null,
      mmd: null,
    });
  });

  it("runs the MMD window on all dimensions for a profile fitted before the window on PCA scores and residual, and says so", {
    timeout: 60_000,
  }, async () => {
    const { featureWindow: _, ...before } = referenceProfile();
    const { outcome } = await firstBatchOf("all-dimensions", before as unknown as ReferenceProfileJson);
    expect(outcome).toMatchObject({
      status: "processed",
      detectors: 3,
      limitation: expect.stringContaining(
        "runs without the MMD window on PCA scores and residual, so its window runs on all dimensions",
      ),
    });
    expect(outcome.cursor.adwinState).toMatchObject({ mmd: { pending: 100 } });
  });

  it("upgrades a PC1-only checkpoint: PC1 continues, the residual ADWIN and the window start at the cursor", {
    timeout: 60_000,
  }, async () => {
    const { s, stream, outcome: first } = await firstBatchOf("old-checkpoint");
    // What the worker stored before this version: the bare PC1 ADWIN checkpoint.
    const pc1Only = (first.cursor.adwinState as unknown as StreamState).pc1;
    await database.db.execute(
      sql`UPDATE stream_cursors SET adwin_state = ${JSON.stringify(pc1Only)}::jsonb WHERE stream_id = ${s.streamId}`,
    );
    const cursor = { ...first.cursor, adwinState: pc1Only as unknown as Record<string, unknown> };
    const next = await processStreamBatch(database.db, stream, cursor, options("old-checkpoint", 600));
    if (next.status !== "processed") throw new Error(next.status);
    // The fixture's embeddings carry no quality signals: everything else runs.
    expect(next).toMatchObject({ upgraded: true, detectors: 3 });
    expect(next.status === "processed" && next.limitation).toMatch(/^runs without the quality window/);
    const state = (await storedCursor(s.streamId)).adwinState as StreamState;
    const p = referenceProfile();
    const uninterrupted = new Pc1Stream(
      { mean: p.pca.mean, pc1: p.pca.components.slice(0, DIMENSION) },
      p.adwin,
    );
    uninterrupted.process(streamRows().subarray(0, 1200 * DIMENSION), 1200);
    expect(state.pc1).toEqual(JSON.parse(JSON.stringify(uninterrupted.state())));
    expect(Adwin.fromJSON(state.residual as AdwinState).width).toBe(600);
    // 600 rows since the upgrade: one window of 500 closed, 100 rows wait in the next one.
    expect(state.mmd).toEqual({ pending: 100, afterSeq: s.seqs[1099] });
  });

  it("refuses a checkpoint of an unknown format, naming the field", { timeout: 60_000 }, async () => {
    const s = await seedStream(database, "odd-checkpoint", { rows: 10 });
    const stream = { id: s.streamId, tenantId: s.tenantId, name: "odd-checkpoint" };
    const cursor = await lease(s.streamId, "x");
    const reference = (await processStreamBatch(database.db, stream, cursor, options("x", 5))) as {
      cursor: CursorPosition;
    };
    await expect(
      processStreamBatch(
        database.db,
        stream,
        { ...reference.cursor, adwinState: { format: "something/9" } },
        options("x", 5),
      ),
    ).rejects.toThrow(
      'stream cursor\'s adwin_state has format "something/9", expected facedrift.stream-state/2 or facedrift.adwin/1',
    );
  });
});
