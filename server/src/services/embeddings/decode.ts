import { endianness } from "node:os";
import type { EmbeddingSource } from "../../db/schema/embedding.ts";
import { FacedriftError } from "../../errors.ts";

/** One item as the API accepts it (already shape-checked by zod at the HTTP edge). */
export interface IngestItem {
  id: string;
  /** RFC 3339 with an offset, or epoch milliseconds. */
  ts: string | number;
  embedding?: number[] | undefined;
  /** Base64 of little-endian float32 values. */
  embedding_b64?: string | undefined;
  source?: EmbeddingSource | undefined;
  device?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
}

/** A validated batch in columns, ready for `unnest`; duplicates within the request removed. */
export interface DecodedBatch {
  dimension: number;
  ids: string[];
  /** Epoch milliseconds. */
  eventTimes: number[];
  vectors: Float32Array[];
  sources: EmbeddingSource[];
  devices: (string | null)[];
  metadata: (string | null)[];
  /** Items whose id already appeared earlier in the same request. */
  duplicatesInRequest: number;
}

const FLOAT32_MAX = 3.4028234663852886e38;
const LITTLE_ENDIAN = endianness() === "LE";

function invalid(message: string, item: number, field: string): FacedriftError {
  return new FacedriftError("invalid_request", `items[${item}]: ${message}`, {
    item,
    field: `items[${item}].${field}`,
  });
}

/**
 * Decodes base64 little-endian float32 strictly: whole 4-byte values and no stray characters.
 * Node's decoder skips characters outside the alphabet instead of failing, so a string with any
 * decodes to fewer bytes than its length promises; comparing the two catches them without a
 * regex pass over every character (which cost more than the decoding itself).
 */
export function decodeFloat32Base64(text: string, item: number): Float32Array {
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const expected = (text.length / 4) * 3 - padding;
  const bytes = text.length % 4 === 0 ? Buffer.from(text, "base64") : undefined;
  if (!bytes || bytes.length !== expected) {
    throw invalid("embedding_b64 is not valid base64", item, "embedding_b64");
  }
  if (bytes.length === 0 || bytes.length % 4 !== 0) {
    throw invalid(
      `embedding_b64 decodes to ${bytes.length} bytes, not a positive multiple of 4 (float32)`,
      item,
      "embedding_b64",
    );
  }
  const values = new Float32Array(bytes.length / 4);
  if (LITTLE_ENDIAN) {
    // Copy rather than view: Buffer.from may return a slice of a pool at an unaligned offset.
    new Uint8Array(values.buffer).set(bytes);
  } else {
    for (let i = 0; i < values.length; i++) values[i] = bytes.readFloatLE(i * 4);
  }
  return values;
}

/**
 * Rejects NaN, ±Inf and the zero vector. Runs on the float32 values, so a JSON number beyond the
 * float32 range (which rounds to Inf) is caught too.
 */
function checkValues(values: Float32Array, item: number, field: string): void {
  let nonZero = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!(v <= FLOAT32_MAX && v >= -FLOAT32_MAX)) {
      throw invalid(`${field}[${i}] is not a finite float32`, item, `${field}[${i}]`);
    }
    if (v !== 0) nonZero = true;
  }
  if (!nonZero) throw invalid(`${field} is the zero vector, which has no direction`, item, field);
}

/** Converts JSON numbers to float32, rejecting anything that is not a number (no coercion). */
function numbersToFloat32(values: readonly unknown[], item: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number") throw invalid(`embedding[${i}] is not a number`, item, `embedding[${i}]`);
    out[i] = v;
  }
  return out;
}

/** Epoch milliseconds of `ts` (RFC 3339 or epoch ms), within what a JS Date can hold. */
export function eventTimeMs(ts: string | number, item: number): number {
  const time = typeof ts === "number" ? ts : Date.parse(ts);
  if (!Number.isFinite(time) || Math.abs(time) > 8.64e15) {
    throw invalid(`ts ${JSON.stringify(ts)} is not a valid time`, item, "ts");
  }
  return time;
}

/**
 * Validates every item (all of them, so a bad item anywhere fails the whole request) and turns
 * the batch into columns. All vectors must share one dimension: `expectedDimension` when the
 * stream exists, else the first item's.
 */
export function decodeBatch(items: readonly IngestItem[], expectedDimension?: number): DecodedBatch {
  const batch: DecodedBatch = {
    dimension: expectedDimension ?? 0,
    ids: [],
    eventTimes: [],
    vectors: [],
    sources: [],
    devices: [],
    metadata: [],
    duplicatesInRequest: 0,
  };
  const seen = new Set<string>();
  items.forEach((it, index) => {
    const hasArray = it.embedding !== undefined;
    if (hasArray === (it.embedding_b64 !== undefined)) {
      throw invalid("give exactly one of embedding and embedding_b64", index, "embedding");
    }
    const field = hasArray ? "embedding" : "embedding_b64";
    const values = hasArray
      ? numbersToFloat32(it.embedding as unknown[], index)
      : decodeFloat32Base64(it.embedding_b64 as string, index);
    if (values.length === 0) throw invalid(`${field} is empty`, index, field);
    if (batch.dimension === 0) batch.dimension = values.length;
    if (values.length !== batch.dimension) {
      const whose = expectedDimension === undefined ? "the first item's" : "the stream's";
      throw invalid(`${field} has ${values.length} dimensions, ${whose} ${batch.dimension}`, index, field);
    }
    checkValues(values, index, field);
    const eventTime = eventTimeMs(it.ts, index);
    if (seen.has(it.id)) {
      batch.duplicatesInRequest++;
      return;
    }
    seen.add(it.id);
    batch.ids.push(it.id);
    batch.eventTimes.push(eventTime);
    batch.vectors.push(values);
    batch.sources.push(it.source ?? "api");
    batch.devices.push(it.device ?? null);
    batch.metadata.push(it.metadata === undefined ? null : JSON.stringify(it.metadata));
  });
  return batch;
}
