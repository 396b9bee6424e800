import { streams } from "../../db/schema/stream.ts";

export interface StreamView {
  id: number;
  name: string;
  model: { id: string; version: string };
  dimension: number;
  createdAt: string;
  embeddingCount: number;
  lastSeq: number;
  lastReceivedAt: string | null;
}

export const streamViewColumns = {
  id: streams.id,
  name: streams.name,
  modelId: streams.modelId,
  modelVersion: streams.modelVersion,
  dimension: streams.dimension,
  createdAt: streams.createdAt,
  embeddingCount: streams.embeddingCount,
  lastSeq: streams.lastSeq,
  lastReceivedAt: streams.lastReceivedAt,
};

type Row = { [K in keyof typeof streamViewColumns]: unknown };

export function toStreamView(row: Row): StreamView {
  return {
    id: Number(row.id),
    name: String(row.name),
    model: { id: String(row.modelId), version: String(row.modelVersion) },
    dimension: Number(row.dimension),
    createdAt: new Date(row.createdAt as string | Date).toISOString(),
    embeddingCount: Number(row.embeddingCount),
    lastSeq: Number(row.lastSeq),
    lastReceivedAt: row.lastReceivedAt ? new Date(row.lastReceivedAt as string | Date).toISOString() : null,
  };
}
