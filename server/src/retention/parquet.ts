/**
 * @module
 * The archive file format: one Parquet file per stream and receive day, one row per embedding,
 * in seq order, written with hyparquet-writer (pure JS, Snappy) and read back with hyparquet.
 *
 * | column        | Parquet type                                   |
 * |---------------|------------------------------------------------|
 * | seq           | INT64                                          |
 * | client_id     | BYTE_ARRAY UTF8                                |
 * | event_time    | INT64 TIMESTAMP(MICROS, UTC)                   |
 * | received_at   | INT64 TIMESTAMP(MICROS, UTC)                   |
 * | model_id      | BYTE_ARRAY UTF8                                |
 * | model_version | BYTE_ARRAY UTF8                                |
 * | source        | BYTE_ARRAY UTF8                                |
 * | device        | BYTE_ARRAY UTF8, optional                      |
 * | metadata      | BYTE_ARRAY JSON (a JSON string), optional      |
 * | embedding     | LIST<FLOAT> (float32, the stream's dimension)  |
 *
 * LIST<FLOAT> is what Arrow writes for a fixed-size list, so pandas, DuckDB and Spark read the
 * vectors as arrays without a custom decoder. Times keep PostgreSQL's microseconds. The file's
 * key-value metadata names the stream, day, model and dimension.
 */
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { ByteWriter, ParquetWriter } from "hyparquet-writer";

export interface ArchiveRow {
  seq: bigint;
  clientId: string;
  /** Microseconds since the epoch. */
  eventTimeUs: bigint;
  receivedAtUs: bigint;
  modelId: string;
  modelVersion: string;
  source: string;
  device: string | null;
  /** JSON text, as stored. */
  metadata: string | null;
  embedding: ArrayLike<number>;
}

const utf8 = { type: "BYTE_ARRAY", converted_type: "UTF8" } as const;
const micros = {
  type: "INT64",
  logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" },
} as const;

const SCHEMA = [
  { name: "root", num_children: 10 },
  { name: "seq", type: "INT64", repetition_type: "REQUIRED" },
  { name: "client_id", ...utf8, repetition_type: "REQUIRED" },
  { name: "event_time", ...micros, repetition_type: "REQUIRED" },
  { name: "received_at", ...micros, repetition_type: "REQUIRED" },
  { name: "model_id", ...utf8, repetition_type: "REQUIRED" },
  { name: "model_version", ...utf8, repetition_type: "REQUIRED" },
  { name: "source", ...utf8, repetition_type: "REQUIRED" },
  { name: "device", ...utf8, repetition_type: "OPTIONAL" },
  { name: "metadata", type: "BYTE_ARRAY", converted_type: "JSON", repetition_type: "OPTIONAL" },
  { name: "embedding", repetition_type: "REQUIRED", converted_type: "LIST", num_children: 1 },
  { name: "list", repetition_type: "REPEATED", num_children: 1 },
  { name: "element", type: "FLOAT", repetition_type: "REQUIRED" },
] as const;

/** Writes chunks of rows as row groups into one in-memory Parquet file. */
export class ArchiveFileWriter {
  private readonly bytes = new ByteWriter();
  private readonly writer: ParquetWriter;

  constructor(info: Record<string, string>) {
    this.writer = new ParquetWriter({
      writer: this.bytes,
      // hyparquet's SchemaElement type is wider than this literal; the shape is the thrift one.
      schema: SCHEMA as never,
      kvMetadata: Object.entries(info).map(([key, value]) => ({ key: `facedrift.${key}`, value })),
      createdBy: "facedrift archive",
    });
  }

  /** One row group per call. */
  write(rows: readonly ArchiveRow[]): void {
    if (rows.length === 0) return;
    const column = <T>(name: string, pick: (row: ArchiveRow) => T) => ({ name, data: rows.map(pick) });
    this.writer.write({
      columnData: [
        column("seq", (r) => r.seq),
        column("client_id", (r) => r.clientId),
        column("event_time", (r) => r.eventTimeUs),
        column("received_at", (r) => r.receivedAtUs),
        column("model_id", (r) => r.modelId),
        column("model_version", (r) => r.modelVersion),
        column("source", (r) => r.source),
        column("device", (r) => r.device),
        // The writer JSON-encodes a JSON column's values: hand it the object, not its text.
        column("metadata", (r) => (r.metadata === null ? null : JSON.parse(r.metadata))),
        column("embedding", (r) => Array.from(r.embedding)),
      ] as never,
      rowGroupSize: rows.length,
    });
  }

  finish(): Uint8Array {
    this.writer.finish();
    return new Uint8Array(this.bytes.getBuffer());
  }
}

/** Every row of a file, exactly as written: times stay microseconds, metadata stays JSON text. */
export async function readArchiveFile(
  bytes: Uint8Array,
): Promise<{ info: Record<string, string>; rows: ArchiveRow[] }> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const metadata = parquetMetadata(buffer);
  const info: Record<string, string> = {};
  for (const { key, value } of metadata.key_value_metadata ?? []) {
    if (key.startsWith("facedrift.") && value !== undefined) info[key.slice("facedrift.".length)] = value;
  }
  const records = await parquetReadObjects({
    file: buffer,
    metadata,
    parsers: { timestampFromMicroseconds: (micros: bigint) => micros } as never,
  });
  const rows = records.map(
    (r): ArchiveRow => ({
      seq: BigInt(r.seq as bigint),
      clientId: r.client_id as string,
      eventTimeUs: BigInt(r.event_time as bigint),
      receivedAtUs: BigInt(r.received_at as bigint),
      modelId: r.model_id as string,
      modelVersion: r.model_version as string,
      source: r.source as string,
      device: (r.device as string | null | undefined) ?? null,
      metadata: metadataText(r.metadata),
      embedding: Float32Array.from(r.embedding as number[]),
    }),
  );
  return { info, rows };
}

/**
 * The metadata column's value as JSON text. Files written before 2026-12 held the text itself as a
 * JSON string (the writer encoded it once more); newer ones hold the object.
 */
function metadataText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

export interface ArchiveFileSummary {
  rows: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** Seqs strictly increasing, as written. */
  ordered: boolean;
}

/** Parses a file back (footer and the seq column) to check what it holds. */
export async function summarizeArchiveFile(bytes: Uint8Array): Promise<ArchiveFileSummary> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const metadata = parquetMetadata(buffer);
  const rows = await parquetReadObjects({ file: buffer, columns: ["seq"], metadata });
  const seqs = rows.map((row) => Number(row.seq));
  let ordered = true;
  for (let i = 1; i < seqs.length; i++) if (!((seqs[i] as number) > (seqs[i - 1] as number))) ordered = false;
  return {
    rows: Number(metadata.num_rows),
    firstSeq: seqs[0] ?? null,
    lastSeq: seqs.at(-1) ?? null,
    ordered,
  };
}
