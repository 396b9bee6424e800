import type { DecodedBatch } from "./decode.ts";

/** The `embeddings` columns a binary COPY fills, in stream order. */
export const COPY_COLUMNS = [
  "seq",
  "stream_id",
  "client_id",
  "event_time",
  "received_at",
  "model_id",
  "model_version",
  "dimension",
  "embedding",
  "source",
  "device",
  "metadata",
] as const;

export interface CopyConstants {
  /** The stream's seq of the first row written; the rest follow it one by one, in `rows` order. */
  firstSeq: number;
  streamId: number;
  receivedAtMs: number;
  modelId: string;
  modelVersion: string;
  dimension: number;
}

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]; // "PGCOPY\n\377\r\n\0"
/** PostgreSQL timestamps count microseconds from 2000-01-01T00:00:00Z. */
const PG_EPOCH_MS = 946_684_800_000;
const encoder = new TextEncoder();

/**
 * Encodes rows `rows` of a batch as a PostgreSQL binary COPY stream for `COPY_COLUMNS`
 * (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format"). Text is raw UTF-8,
 * jsonb is a version byte (1) then text, timestamptz an int64 of microseconds, and the vector is
 * pgvector's `vector_recv` form: int16 dimension, int16 unused, then big-endian float32s. No float
 * is ever printed or parsed.
 */
export function encodeEmbeddingsCopy(
  batch: DecodedBatch,
  rows: readonly number[],
  k: CopyConstants,
): Uint8Array {
  const modelId = encoder.encode(k.modelId);
  const modelVersion = encoder.encode(k.modelVersion);
  const encoded: (Uint8Array | null)[][] = [];
  let size = SIGNATURE.length + 8 + 2;
  for (const r of rows) {
    const texts = [
      encoder.encode(batch.ids[r]),
      encoder.encode(batch.sources[r]),
      batch.devices[r] == null ? null : encoder.encode(batch.devices[r] as string),
      batch.metadata[r] == null ? null : encoder.encode(batch.metadata[r] as string),
    ];
    encoded.push(texts);
    // field count, 12 length words, 2 × int8, 2 × timestamptz, int4, vector header + floats
    size += 2 + 12 * 4 + 16 + 16 + 4 + 4 + 4 * k.dimension + modelId.length + modelVersion.length;
    for (const t of texts) size += t?.length ?? 0;
    if (texts[3]) size += 1; // jsonb version byte
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(SIGNATURE, 0);
  let o = SIGNATURE.length + 8; // flags and header-extension length: both zero
  const receivedAt = BigInt(k.receivedAtMs - PG_EPOCH_MS) * 1000n;
  const bytes = (t: Uint8Array | null | undefined, prefix?: number) => {
    if (!t) {
      view.setInt32(o, -1);
      o += 4;
      return;
    }
    const extra = prefix === undefined ? 0 : 1;
    view.setInt32(o, t.length + extra);
    o += 4;
    if (prefix !== undefined) out[o++] = prefix;
    out.set(t, o);
    o += t.length;
  };
  encoded.forEach(([id, source, device, metadata], index) => {
    const r = rows[index] as number;
    const vector = batch.vectors[r] as Float32Array;
    view.setInt16(o, COPY_COLUMNS.length);
    view.setInt32(o + 2, 8);
    view.setBigInt64(o + 6, BigInt(k.firstSeq + index));
    view.setInt32(o + 14, 8);
    view.setBigInt64(o + 18, BigInt(k.streamId));
    o += 26;
    bytes(id);
    view.setInt32(o, 8);
    view.setBigInt64(o + 4, BigInt((batch.eventTimes[r] as number) - PG_EPOCH_MS) * 1000n);
    view.setInt32(o + 12, 8);
    view.setBigInt64(o + 16, receivedAt);
    o += 24;
    bytes(modelId);
    bytes(modelVersion);
    view.setInt32(o, 4);
    view.setInt32(o + 4, k.dimension);
    view.setInt32(o + 8, 4 + 4 * vector.length);
    view.setInt16(o + 12, vector.length);
    view.setInt16(o + 14, 0);
    o += 16;
    for (let i = 0; i < vector.length; i++, o += 4) view.setFloat32(o, vector[i] as number);
    bytes(source);
    bytes(device);
    bytes(metadata, 1);
  });
  view.setInt16(o, -1);
  return out;
}
