import { endianness } from "node:os";
import { qualityValueProblem } from "@facedrift/stats";
import type { EmbeddingSource } from "../../db/schema/embedding.ts";
import { FacedriftError } from "../../errors.ts";
import { eventTimeProblem, parseRfc3339 } from "../../validation/date-time.ts";
import { checkJsonTree } from "../../validation/json-tree.ts";
import { textProblem } from "../../validation/text.ts";

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

/** pgvector's limit for the `vector` type; a longer vector failed inside the database (a 500). */
export const MAX_DIMENSION = 16_000;
/** Metadata is for labels (person, camera, site), not documents: bounded in depth and size. */
export const MAX_METADATA_DEPTH = 8;
export const MAX_METADATA_BYTES = 16 * 1024;
/** Default for {@link DecodeOptions.maxFutureSkewMs}: a day covers clocks set to the wrong zone. */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 86_400_000;

export interface DecodeOptions {
  /** The receive time event times are judged against (epoch ms); default now. */
  nowMs?: number;
  /** How far after `nowMs` an event time may be (`FACEDRIFT_MAX_FUTURE_SKEW_SECONDS`). */
  maxFutureSkewMs?: number;
}
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

/**
 * Epoch milliseconds of `ts` (RFC 3339 with offset, read exactly, or integer epoch ms), refused
 * when implausible: before 2001 or beyond the allowed clock skew after `nowMs`.
 */
export function eventTimeMs(ts: string | number, item: number, options: DecodeOptions = {}): number {
  const { nowMs = Date.now(), maxFutureSkewMs = DEFAULT_MAX_FUTURE_SKEW_MS } = options;
  let time: number;
  if (typeof ts === "number") time = ts;
  else {
    const parsed = parseRfc3339(ts);
    if ("problem" in parsed) throw invalid(`ts ${JSON.stringify(ts)} ${parsed.problem}`, item, "ts");
    time = parsed.ms;
  }
  const why = eventTimeProblem(time, nowMs, maxFutureSkewMs);
  if (why) throw invalid(`ts ${JSON.stringify(ts)} ${why}`, item, "ts");
  return time;
}

/** The text rule for the item's id and device, and depth, size and text of its metadata. */
function checkItemText(it: IngestItem, item: number): string | null {
  if (typeof it.id !== "string") throw invalid("id must be a string", item, "id");
  const idProblem = textProblem(it.id);
  if (idProblem) throw invalid(`id ${idProblem}`, item, "id");
  if (it.device !== undefined) {
    const deviceProblem = textProblem(it.device);
    if (deviceProblem) throw invalid(`device ${deviceProblem}`, item, "device");
  }
  if (it.metadata === undefined) return null;
  const problem = checkJsonTree(it.metadata, { maxDepth: MAX_METADATA_DEPTH });
  if (problem) {
    const field = problem.path ? `metadata.${problem.path}` : "metadata";
    throw invalid(`${field} ${problem.message}`, item, field);
  }
  checkQuality(it.metadata.quality, item);
  const json = JSON.stringify(it.metadata);
  if (Buffer.byteLength(json) > MAX_METADATA_BYTES) {
    throw invalid(`metadata is over ${MAX_METADATA_BYTES} bytes as JSON`, item, "metadata");
  }
  return json;
}

/**
 * `metadata.quality`: a number under a known signal's name must be a value that signal can take
 * (`QUALITY_SIGNAL_RANGES` in `@facedrift/stats`): -1e308 or a face size of 0 would otherwise be
 * stored and move the streaming quality window by many σ. Unknown keys, and values that are not
 * numbers, are stored as before and ignored by the detectors.
 */
function checkQuality(quality: unknown, item: number): void {
  if (quality === null || typeof quality !== "object" || Array.isArray(quality)) return;
  for (const [name, value] of Object.entries(quality)) {
    const problem = qualityValueProblem(name, value);
    if (problem) {
      const field = `items[${item}].metadata.quality.${name}`;
      throw new FacedriftError("invalid_request", `${field}: ${JSON.stringify(value)} ${problem}`, {
        item,
        field,
      });
    }
  }
}

/**
 * Validates every item (all of them, so a bad item anywhere fails the whole request) and turns
 * the batch into columns. All vectors must share one dimension: `expectedDimension` when the
 * stream exists, else the first item's.
 */
export function decodeBatch(
  items: readonly IngestItem[],
  expectedDimension?: number,
  options: DecodeOptions = {},
): DecodedBatch {
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
    if (values.length > MAX_DIMENSION) {
      throw invalid(`${field} has ${values.length} dimensions, more than ${MAX_DIMENSION}`, index, field);
    }
    if (batch.dimension === 0) batch.dimension = values.length;
    if (values.length !== batch.dimension) {
      const whose = expectedDimension === undefined ? "the first item's" : "the stream's";
      throw invalid(`${field} has ${values.length} dimensions, ${whose} ${batch.dimension}`, index, field);
    }
    checkValues(values, index, field);
    const eventTime = eventTimeMs(it.ts, index, options);
    const metadata = checkItemText(it, index);
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
    batch.metadata.push(metadata);
  });
  return batch;
}
