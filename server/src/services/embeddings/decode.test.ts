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
  });
});

describe("decodeBatch", () => {
  it("keeps the first of repeated ids and counts the rest", () => {
    const batch = decodeBatch([
      { id: "a", ts: 1, embedding: [1, 2] },
      { id: "a", ts: 2, embedding: [3, 4] },
      { id: "b", ts: 3, embedding_b64: b64([5, 6]), source: "replica", device: "d", metadata: { k: 1 } },
    ]);
    expect(batch).toMatchObject({
      dimension: 2,
      ids: ["a", "b"],
      eventTimes: [1, 3],
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
        { id: "a", ts: 1, embedding: [1, 2] },
        { id: "a", ts: 1, embedding: [0, 0] },
      ]),
    );
    expect(error).toMatchObject({ item: 1, field: "items[1].embedding" });
  });

  it("holds every item to the stream's dimension", () => {
    expect(failure(() => decodeBatch([{ id: "a", ts: 1, embedding: [1, 2, 3] }], 2)).message).toMatch(
      /3 dimensions, the stream's 2/,
    );
  });

  it("rejects non-numbers without coercing them", () => {
    const items = [{ id: "a", ts: 1, embedding: [1, "2"] as unknown as number[] }];
    expect(failure(() => decodeBatch(items)).field).toBe("items[0].embedding[1]");
  });

  it("rejects an empty vector and Infinity", () => {
    expect(failure(() => decodeBatch([{ id: "a", ts: 1, embedding: [] }])).field).toBe("items[0].embedding");
    expect(failure(() => decodeBatch([{ id: "a", ts: 1, embedding_b64: b64([1, Infinity]) }])).field).toBe(
      "items[0].embedding_b64[1]",
    );
  });
});
