/**
 * @module
 * A stream's model transition: its tracks side by side, and promoting or dropping the candidate
 * (`server/src/http/routes/streams/models/`).
 */
import { api } from "./client.ts";
import type { Schema } from "./schemas.ts";

export type ModelComparison = Schema<"ModelComparison">;
export type TrackComparison = ModelComparison["tracks"][number];

const path = (stream: string) => `/v1/streams/${encodeURIComponent(stream)}`;

export const compareModels = (stream: string): Promise<ModelComparison> =>
  api<ModelComparison>(`${path(stream)}/models/comparison`);

export const promoteCandidate = (stream: string) =>
  api<Schema<"ModelTracks">>(`${path(stream)}/candidate/promote`, { method: "POST" });

export const dropCandidate = (stream: string) =>
  api<Schema<"ModelTracks">>(`${path(stream)}/candidate`, { method: "DELETE" });
