import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import type { SendResult } from "./ingest.ts";
import { type OutboxRecord, openOutbox } from "./outbox.ts";
import { record } from "./testing/records.ts";
import { createUploader, type UploaderStatus } from "./uploader.ts";

let databases = 0;

/** A server that stores by id, like the ingest endpoint: a repeated id is a duplicate. */
function fakeServer() {
  const stored = new Map<string, number>();
  return {
    stored,
    store(records: readonly OutboxRecord[]): { accepted: number; duplicates: number } {
      let accepted = 0;
      for (const r of records) {
        if (stored.has(r.id)) continue;
        stored.set(r.id, stored.size + 1);
        accepted++;
      }
      return { accepted, duplicates: records.length - accepted };
    },
  };
}

async function setup(send: (records: readonly OutboxRecord[]) => Promise<SendResult>) {
  const outbox = await openOutbox(`uploader-test-${++databases}`);
  const clock = { now: 1_000 };
  const timers: { at: number; run: () => void }[] = [];
  const statuses: UploaderStatus[] = [];
  const uploader = createUploader({
    outbox,
    send,
    onStatus: (status) => statuses.push(status),
    batchSize: 2,
    policy: { baseMs: 1_000, capMs: 8_000, jitter: 0 },
    now: () => clock.now,
    schedule: (run, ms) => {
      const timer = { at: clock.now + ms, run };
      timers.push(timer);
      return () => timers.splice(timers.indexOf(timer), 1);
    },
  });
  return { outbox, clock, timers, statuses, uploader };
}

describe("uploader", () => {
  it("sends everything in batches and empties the outbox", async () => {
    const server = fakeServer();
    const batches: string[][] = [];
    const { outbox, uploader } = await setup(async (records) => {
      batches.push(records.map((r) => r.id));
      return { kind: "stored", ...server.store(records) };
    });
    for (const id of ["a", "b", "c"]) await outbox.add(record(id, 0));
    await uploader.flush();
    expect(batches).toEqual([["a", "b"], ["c"]]);
    expect(await outbox.count()).toBe(0);
    expect(uploader.status()).toMatchObject({ queued: 0, sent: 3, duplicates: 0, lastError: null });
  });

  it("keeps one stream per request", async () => {
    const batches: string[][] = [];
    const { outbox, uploader } = await setup(async (records) => {
      batches.push(records.map((r) => `${r.stream}/${r.id}`));
      return { kind: "stored", accepted: records.length, duplicates: 0 };
    });
    await outbox.add(record("a", 0, "door"));
    await outbox.add(record("b", 1, "lobby"));
    await outbox.add(record("c", 2, "door"));
    await uploader.flush();
    // Batches of 2 due records, each cut down to the first record's stream.
    expect(batches).toEqual([["door/a"], ["lobby/b"], ["door/c"]]);
  });

  it("backs off exponentially while the server is down, then delivers each face once", async () => {
    const server = fakeServer();
    let up = false;
    const { outbox, clock, timers, uploader } = await setup(async (records) =>
      up
        ? { kind: "stored", ...server.store(records) }
        : { kind: "retry", message: "HTTP 502: the API is down" },
    );
    await outbox.add(record("a", clock.now));
    await uploader.flush();
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const timer = timers.shift();
      if (!timer) throw new Error("no retry was scheduled");
      waits.push(timer.at - clock.now);
      clock.now = timer.at;
      timer.run();
      await uploader.flush();
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(uploader.status().lastError).toBe("HTTP 502: the API is down");
    up = true;
    const timer = timers.shift();
    clock.now = timer?.at ?? clock.now;
    timer?.run();
    await uploader.flush();
    expect([...server.stored.keys()]).toEqual(["a"]);
    expect(uploader.status()).toMatchObject({ queued: 0, sent: 1, lastError: null, nextAttemptAt: null });
  });

  it("keeps a retry whose timer fires while the drain is finishing", async () => {
    // Seen against the real PostgreSQL: a retry due a few ms after the last send fired while the
    // drain was still publishing its status, and the queued records then waited forever.
    const server = fakeServer();
    let up = false;
    const outbox = await openOutbox(`uploader-test-${++databases}`);
    const clock = { now: 1_000 };
    let fired = 0;
    const uploader = createUploader({
      outbox,
      send: async (records) =>
        up ? { kind: "stored", ...server.store(records) } : { kind: "retry", message: "HTTP 503" },
      onStatus: () => {},
      policy: { baseMs: 1_000, capMs: 8_000, jitter: 0 },
      now: () => clock.now,
      schedule: (run, ms) => {
        // The timer fires at once, before the drain that scheduled it has settled.
        if (fired++ === 0) {
          clock.now += ms;
          up = true;
          run();
        }
        return () => {};
      },
    });
    await outbox.add(record("a", clock.now));
    await uploader.flush();
    for (let tick = 0; tick < 50 && (await outbox.count()) > 0; tick++)
      await new Promise((resolve) => setTimeout(resolve, 0));
    expect([...server.stored.keys()]).toEqual(["a"]);
    expect(await outbox.count()).toBe(0);
  });

  it("turns a lost response into a duplicate on retry, never a second row", async () => {
    const server = fakeServer();
    let loseNext = true;
    const { outbox, uploader } = await setup(async (records) => {
      const result = server.store(records);
      if (loseNext) {
        loseNext = false;
        return { kind: "retry", message: "network: Failed to fetch" };
      }
      return { kind: "stored", ...result };
    });
    await outbox.add(record("a", 0));
    await outbox.add(record("b", 0));
    await uploader.flush();
    expect(await outbox.count()).toBe(2);
    await uploader.retryNow();
    expect(server.stored.size).toBe(2);
    expect(uploader.status()).toMatchObject({ queued: 0, sent: 2, duplicates: 2 });
  });

  it("drops only the item the server rejected and sends the rest", async () => {
    const sent: string[] = [];
    const { outbox, uploader } = await setup(async (records) => {
      const bad = records.findIndex((r) => r.id === "bad");
      if (bad >= 0) return { kind: "rejected-item", item: bad, message: "HTTP 400: items[1].embedding" };
      sent.push(...records.map((r) => r.id));
      return { kind: "stored", accepted: records.length, duplicates: 0 };
    });
    for (const id of ["a", "bad", "c"]) await outbox.add(record(id, 0));
    await uploader.flush();
    expect(sent).toEqual(["a", "c"]);
    expect(uploader.status()).toMatchObject({ queued: 0, sent: 2, rejected: 1 });
  });
});
