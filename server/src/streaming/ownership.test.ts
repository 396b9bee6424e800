/**
 * Several processes against one real PostgreSQL with pgvector (FACEDRIFT_TEST_PG_URL, default the
 * machine's; skipped when there is none, except under CI). Each test works in a fresh, migrated
 * database (see `testing/postgres.ts`).
 *
 * What is shown: a stream's lease is held by exactly one owner at a time, also when owners race;
 * an owner that stops renewing loses its streams once the lease expires and a stale owner's
 * commit writes nothing; and a worker process killed with SIGKILL inside a batch transaction
 * leaves no trace, its successor producing exactly the detections and ADWIN state of one
 * uninterrupted pass.
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type postgres from "postgres";
import { afterEach, describe, expect, it } from "vitest";
import type { Database } from "../db/database.ts";
import { openPostgres } from "../db/postgres.ts";
import { acquireStreamLease, saveStreamCursor } from "../services/stream-cursors/lease.ts";
import { DIMENSION, expectedRun, referenceProfile, streamRows } from "./testing/fixture.ts";
import {
  createStreamingSchema,
  insertReference,
  insertStream,
  postgresAvailable,
  type TestSchema,
} from "./testing/postgres.ts";
import { StreamingWorker } from "./worker.ts";

const available = postgresAvailable;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function schemaWithStreams(count: number, rows = true) {
  const schema = await createStreamingSchema();
  cleanups.push(() => schema.drop());
  const [tenant] = await schema.sql<
    { id: string }[]
  >`INSERT INTO tenants (name) VALUES ('t') RETURNING id::text AS id`;
  const tenantId = Number(tenant?.id);
  const x = rows ? streamRows() : new Float32Array(DIMENSION);
  const streams: { streamId: number; seqs: number[] }[] = [];
  for (let i = 0; i < count; i++) {
    const stream = await insertStream(schema.sql, tenantId, `s${i}`, x, DIMENSION);
    await insertReference(schema.sql, stream.streamId, referenceProfile());
    streams.push(stream);
  }
  return { schema, tenantId, streams };
}

function open(schema: TestSchema, max = 2): Database & { client: postgres.Sql } {
  const database = openPostgres(schema.url, { max });
  cleanups.push(() => database.client.end({ timeout: 0 }));
  return database;
}

async function cursors(schema: TestSchema) {
  return schema.sql<{ stream_id: string; owner: string | null; last_seq: string; adwin_state: unknown }[]>`
    SELECT stream_id::text AS stream_id, owner, last_seq::text AS last_seq, adwin_state
    FROM stream_cursors ORDER BY stream_id`;
}

async function events(schema: TestSchema, streamId: number) {
  const rows = await schema.sql<
    {
      seq: string;
      signal: string;
      mean_before: number | null;
      mean_after: number | null;
      details: Record<string, unknown>;
    }[]
  >`
    SELECT seq::text AS seq, signal, mean_before, mean_after, details FROM drift_events
    WHERE stream_id = ${streamId} ORDER BY drift_events.seq, id`;
  return rows.map((r) => ({
    seq: Number(r.seq),
    signal: r.signal,
    meanBefore: r.mean_before,
    meanAfter: r.mean_after,
    value: r.signal === "mmd" ? r.details.value : r.details.score,
  }));
}

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Every stream ends where one uninterrupted pass ends: same detections, same ADWIN state. */
async function expectExactlyOnce(schema: TestSchema, streams: { streamId: number; seqs: number[] }[]) {
  const stored = new Map((await cursors(schema)).map((c) => [Number(c.stream_id), c]));
  for (const { streamId, seqs } of streams) {
    const expected = await expectedRun(seqs);
    expect(expected.events.length).toBeGreaterThan(0);
    expect(await events(schema, streamId)).toEqual(expected.events);
    expect(Number(stored.get(streamId)?.last_seq)).toBe(seqs.at(-1));
    expect(stored.get(streamId)?.adwin_state).toEqual(expected.state);
  }
}

describe.skipIf(!available)("stream ownership across processes (real PostgreSQL)", () => {
  it("gives each stream to exactly one of two racing owners on separate connections", {
    timeout: 60_000,
  }, async () => {
    const { schema, streams } = await schemaWithStreams(6, false);
    const [a, b] = [open(schema, 1), open(schema, 1)];
    for (let round = 0; round < 5; round++) {
      const won = await Promise.all(
        streams.map(async ({ streamId }) => {
          const [ga, gb] = await Promise.all([
            acquireStreamLease(a.db, streamId, `a${round}`, 60_000),
            acquireStreamLease(b.db, streamId, `b${round}`, 60_000),
          ]);
          return (ga ? 1 : 0) + (gb ? 1 : 0);
        }),
      );
      expect(won).toEqual(streams.map(() => 1));
      await schema.sql`UPDATE stream_cursors SET owner = NULL, lease_until = NULL`;
    }
  });

  it("moves a dead worker's streams to the live one after the lease expires; nothing lost or doubled", {
    timeout: 120_000,
  }, async () => {
    const { schema, streams } = await schemaWithStreams(2);
    const dying = open(schema);
    const survivor = open(schema);
    const common = { pollIntervalMs: 20, batchSize: 200, batchesPerPass: 1, alertStore: false as const };
    const a = new StreamingWorker({ db: dying.db, owner: "A", leaseMs: 3000, ...common });
    a.start();
    // A takes every stream on its first pass; B, started then, finds them all held.
    await until(
      "A to own every stream",
      async () => (await cursors(schema)).filter((c) => c.owner === "A").length === streams.length,
    );
    const b = new StreamingWorker({ db: survivor.db, owner: "B", leaseMs: 3000, ...common });
    b.start();
    cleanups.push(() => b.stop());
    await until("some progress by A", async () =>
      (await cursors(schema)).every((c) => Number(c.last_seq) > 0),
    );

    // A dies: its connections drop (a batch in flight is rolled back), nothing is released.
    await dying.client.end({ timeout: 0 });
    const atDeath = await cursors(schema);
    expect(atDeath.every((c) => c.owner === "A")).toBe(true);
    // …and it died with work left, so B's part is real.
    expect(atDeath.some((c, i) => Number(c.last_seq) < (streams[i]?.seqs.at(-1) ?? 0))).toBe(true);
    void a.stop();

    await until("B to finish every stream", async () =>
      (await cursors(schema)).every(
        (c, i) => c.owner === "B" && Number(c.last_seq) === streams[i]?.seqs.at(-1),
      ),
    );
    // A's stale commit is refused and changes nothing.
    const ghost = open(schema, 1);
    const first = streams[0] as { streamId: number; seqs: number[] };
    const before = await cursors(schema);
    expect(
      await saveStreamCursor(ghost.db, first.streamId, "A", {
        lastSeq: 1,
        adwinState: null,
        referenceSetId: null,
        leaseMs: 60_000,
      }),
    ).toBe(false);
    expect(await cursors(schema)).toEqual(before);

    await expectExactlyOnce(schema, streams);
  });

  it("after SIGKILL inside a batch transaction, the successor commits exactly what one uninterrupted pass would", {
    timeout: 120_000,
  }, async () => {
    const { schema, streams } = await schemaWithStreams(1);
    const stream = streams[0] as { streamId: number; seqs: number[] };
    const child: ChildProcess = fork(
      fileURLToPath(new URL("./testing/worker-child.ts", import.meta.url)),
      [schema.url, "doomed"],
      { execArgv: ["--import", "tsx"], stdio: ["ignore", "ignore", "inherit", "ipc"] },
    );
    cleanups.push(async () => child.exitCode === null && child.kill("SIGKILL"));
    let batches = 0;
    const stuck = new Promise<{ processed: number; detections: number }>((resolve) => {
      child.on("message", (message: { type: string; processed: number; detections: number }) => {
        if (message.type !== "in-transaction") return;
        batches++;
        if (message.detections > 0) resolve(message);
      });
    });
    const inFlight = await stuck;
    expect(inFlight.detections).toBeGreaterThan(0);
    expect(batches).toBeGreaterThan(1);
    // The batch's events are written but not committed: nobody else sees them.
    expect(await events(schema, stream.streamId)).toEqual([]);
    const [held] = await cursors(schema);
    child.kill("SIGKILL");
    await once(child, "exit");

    const database = open(schema);
    const successor = new StreamingWorker({
      db: database.db,
      owner: "successor",
      pollIntervalMs: 20,
      alertStore: false,
    });
    successor.start();
    cleanups.push(() => successor.stop());
    await until("the successor to catch up", async () => {
      const [c] = await cursors(schema);
      return c?.owner === "successor" && Number(c.last_seq) === stream.seqs.at(-1);
    });
    // It resumed from the last commit of the killed worker, not from the start.
    expect(Number(held?.last_seq)).toBeGreaterThan(0);
    await expectExactlyOnce(schema, streams);
  });
});
