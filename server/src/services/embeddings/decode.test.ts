import { describe, expect, it } from "vitest";
import { FacedriftError } from "../../errors.ts";
import { decodeBatch, decodeFloat32Base64, eventTimeMs } from "./decode.ts";

const b64 = (values: number[]) => Buffer.from(Float32Array.from(values).buffer).toString("base64");

function failure(run: () => unknown): FacedriftError {
  try {
    run();
  } catch (error) {
    if (error instanceof FacedriftError) return error;
    throw error;
  }
  throw new Error("expected a FacedriftError");
}

describe("decodeFloat32Base64", () => {
  it("decodes little-endian float32 exactly", () => {
    expect(Array.from(decodeFloat32Base64(b64([1.5, -2, 0.1]), 0))).toEqual(
      Array.from(Float32Array.from([1.5, -2, 0.1])),
    );
  });

  it.each([
    ["a length that is not a multiple of 4", "AAAAA"],
    ["characters outside the alphabet", "AA!A"],
    ["inner whitespace", "AAAA AAA"],
    ["bytes that are not whole float32s", "AAAAAAAA"],
    ["nothing", ""],
  ])("rejects %s", (_, text) => {
    expect(failure(() => decodeFloat32Base64(text, 7))).toMatchObject({ code: "invalid_request", item: 7 });
  });
});

describe("eventTimeMs", () => {
  it("reads RFC 3339 with an offset and epoch milliseconds", () => {
    expect(eventTimeMs("2026-11-26T12:00:00.5+02:00", 0)).toBe(Date.UTC(2026, 10, 26, 10, 0, 0, 500));
    expect(eventTimeMs(1_790_000_000_000, 0)).toBe(1_790_000_000_000);
  });

  it("rejects times a Date cannot hold", () => {
    expect(failure(() => eventTimeMs(9e15, 3))).toMatchObject({ item: 3, field: "items[3].ts" });
    expect(failure(() => eventTimeMs(-8.64e15, 3))).toMatchObject({ item: 3, field: "items[3].ts" });
  });

  const now = { nowMs: Date.UTC(2026, 11, 7), maxFutureSkewMs: 86_400_000 };

  it.each([
    ["a day that month lacks", "2026-02-30T10:00:00Z", /day 30.*28 days/],
    ["29 February outside a leap year", "2025-02-29T10:00:00Z", /day 29/],
    ["month 13", "2026-13-01T10:00:00Z", /month 13/],
    ["hour 24", "2026-11-26T24:00:00Z", /hour 24/],
    ["a leap second", "2026-11-26T23:59:60Z", /second 60/],
    ["an offset of 24 hours", "2026-11-26T10:00:00+24:00", /offset/],
    ["year 0000", "0000-01-01T00:00:00Z", /before 2001/],
    ["no offset", "2026-11-26T10:00:00", /RFC 3339/],
  ])("refuses %s instead of rolling it over", (_, ts, message) => {
    const error = failure(() => eventTimeMs(ts, 2, now));
    expect(error).toMatchObject({ code: "invalid_request", item: 2, field: "items[2].ts" });
    expect(error.message).toMatch(message);
  });

  it("reads 29 February of a leap year and offsets exactly", () => {
    expect(eventTimeMs("2024-02-29T23:30:00-01:30", 0, now)).toBe(Date.UTC(2024, 2, 1, 1, 0));
    expect(eventTimeMs("2026-11-26T12:00:00.123456789Z", 0, now)).toBe(Date.UTC(2026, 10, 26, 12, 0, 0, 123));
  });

  it("refuses times before 2001, naming seconds sent for milliseconds", () => {
    expect(failure(() => eventTimeMs(-2e14, 0, now)).message).toMatch(/before 2001/);
    expect(failure(() => eventTimeMs(1_790_000_000, 0, now)).message).toMatch(/epoch seconds/);
    expect(eventTimeMs(Date.UTC(2001, 0, 1), 0, now)).toBe(Date.UTC(2001, 0, 1));
  });

  it("refuses times further in the future than the allowed skew", () => {
    expect(eventTimeMs(now.nowMs + now.maxFutureSkewMs, 0, now)).toBe(now.nowMs + now.maxFutureSkewMs);
    const error = failure(() => eventTimeMs(now.nowMs + now.maxFutureSkewMs + 1, 4, now));
    expect(error).toMatchObject({ field: "items[4].ts" });
    expect(error.message).toMatch(/future/);
    // Microseconds for milliseconds land far in the future.
    expect(failure(() => eventTimeMs(now.nowMs * 1000, 0, now)).message).toMatch(/future/);
  });
});

describe("decodeBatch", () => {
  it("keeps the first of repeated ids and counts the rest", () => {
    const batch = decodeBatch([
      { id: "a", ts: 1_790_000_000_001, embedding: [1, 2] },
      { id: "a", ts: 1_790_000_000_002, embedding: [3, 4] },
      {
        id: "b",
        ts: 1_790_000_000_003,
        embedding_b64: b64([5, 6]),
        source: "replica",
        device: "d",
        metadata: { k: 1 },
      },
    ]);
    expect(batch).toMatchObject({
      dimension: 2,
      ids: ["a", "b"],
      eventTimes: [1_790_000_000_001, 1_790_000_000_003],
      sources: ["api", "replica"],
      devices: [null, "d"],
      metadata: [null, '{"k":1}'],
      duplicatesInRequest: 1,
    });
    expect(batch.vectors.map((v) => Array.from(v))).toEqual([
      [1, 2],
      [5, 6],
    ]);
  });

  it("validates repeated items too, so a bad duplicate still fails the request", () => {
    const error = failure(() =>
      decodeBatch([
        { id: "a", ts: 1_790_000_000_001, embedding: [1, 2] },
        { id: "a", ts: 1_790_000_000_001, embedding: [0, 0] },
      ]),
    );
    expect(error).toMatchObject({ item: 1, field: "items[1].embedding" });
  });

  it("holds every item to the stream's dimension", () => {
    expect(
      failure(() => decodeBatch([{ id: "a", ts: 1_790_000_000_001, embedding: [1, 2, 3] }], 2)).message,
    ).toMatch(/3 dimensions, the stream's 2/);
  });

  it("rejects non-numbers without coercing them", () => {
    const items = [{ id: "a", ts: 1_790_000_000_001, embedding: [1, "2"] as unknown as number[] }];
    expect(failure(() => decodeBatch(items)).field).toBe("items[0].embedding[1]");
  });

  it("refuses more than pgvector's 16,000 dimensions", () => {
    const items = [{ id: "a", ts: 1_790_000_000_000, embedding: new Array(16_001).fill(1) }];
    expect(failure(() => decodeBatch(items))).toMatchObject({ field: "items[0].embedding" });
    expect(decodeBatch([{ ...items[0]!, embedding: new Array(16_000).fill(1) }]).dimension).toBe(16_000);
  });

  it.each([
    ["a lone high surrogate in the id", { id: "x\uD800" }, "items[0].id"],
    ["a lone low surrogate in the device", { device: "cam\uDC00" }, "items[0].device"],
    ["NUL in the id", { id: "a\u0000b" }, "items[0].id"],
    [
      "a lone surrogate in a metadata value",
      { metadata: { who: { name: "\uDFFF" } } },
      "items[0].metadata.who.name",
    ],
    ["NUL in a metadata key", { metadata: { "a\u0000": 1 } }, "items[0].metadata"],
  ])("refuses %s, naming the field", (_, patch, field) => {
    const item = { id: "a", ts: 1_790_000_000_000, embedding: [1, 2], ...patch };
    expect(failure(() => decodeBatch([item]))).toMatchObject({ code: "invalid_request", field });
  });

  it("keeps U+FFFD and well-formed pairs, which are ordinary text", () => {
    const batch = decodeBatch([
      { id: "x\uFFFD", ts: 1_790_000_000_000, embedding: [1, 2] },
      { id: "x\uD83D\uDE00", ts: 1_790_000_000_000, embedding: [1, 2] },
    ]);
    expect(batch.ids).toEqual(["x\uFFFD", "x😀"]);
  });

  it("bounds metadata depth and size", () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    const base = { id: "a", ts: 1_790_000_000_000, embedding: [1, 2] };
    expect(failure(() => decodeBatch([{ ...base, metadata: deep }])).message).toMatch(/deeper than 8/);
    const big = { note: "x".repeat(17 * 1024) };
    expect(failure(() => decodeBatch([{ ...base, metadata: big }]))).toMatchObject({
      field: "items[0].metadata",
    });
  });

  it("rejects an empty vector and Infinity", () => {
    expect(failure(() => decodeBatch([{ id: "a", ts: 1_790_000_000_001, embedding: [] }])).field).toBe(
      "items[0].embedding",
    );
    expect(
      failure(() => decodeBatch([{ id: "a", ts: 1_790_000_000_001, embedding_b64: b64([1, Infinity]) }]))
        .field,
    ).toBe("items[0].embedding_b64[1]");
  });
});
