import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { openOutbox } from "./outbox.ts";
import { record } from "./testing/records.ts";

let databases = 0;
const freshName = () => `outbox-test-${++databases}`;

describe("outbox", () => {
  it("keeps records across a close and reopen, as across a page reload", async () => {
    const name = freshName();
    const first = await openOutbox(name);
    await first.add(record("a", 10));
    await first.add(record("b", 5));
    first.close();
    const second = await openOutbox(name);
    expect(await second.count()).toBe(2);
    expect((await second.due(100, 10)).map((r) => r.id)).toEqual(["b", "a"]);
    second.close();
  });

  it("refuses a second record with the same id (ids are made once per face)", async () => {
    const outbox = await openOutbox(freshName());
    await outbox.add(record("a"));
    await expect(outbox.add(record("a"))).rejects.toThrow();
    expect(await outbox.count()).toBe(1);
  });

  it("hands out only due records, earliest first, up to the limit", async () => {
    const outbox = await openOutbox(freshName());
    for (const [id, at] of [
      ["late", 500],
      ["early", 100],
      ["mid", 200],
    ] as const)
      await outbox.add(record(id, at));
    expect((await outbox.due(250, 10)).map((r) => r.id)).toEqual(["early", "mid"]);
    expect((await outbox.due(250, 1)).map((r) => r.id)).toEqual(["early"]);
    expect(await outbox.nextAttemptAt()).toBe(100);
  });

  it("reschedules with the attempt count, makes all due, and removes", async () => {
    const outbox = await openOutbox(freshName());
    await outbox.add(record("a", 0));
    await outbox.reschedule(["a", "missing"], (attempts) => 1_000 * attempts, "HTTP 503");
    await outbox.reschedule(["a"], (attempts) => 1_000 * attempts, "HTTP 503");
    const [rescheduled] = await outbox.due(Number.POSITIVE_INFINITY, 1);
    expect(rescheduled).toMatchObject({ attempts: 2, nextAttemptAt: 2_000, lastError: "HTTP 503" });
    expect(await outbox.due(1_999, 10)).toEqual([]);
    await outbox.makeAllDue(50);
    expect((await outbox.due(50, 10)).map((r) => r.id)).toEqual(["a"]);
    await outbox.remove(["a"]);
    expect(await outbox.count()).toBe(0);
    expect(await outbox.nextAttemptAt()).toBeNull();
  });
});
