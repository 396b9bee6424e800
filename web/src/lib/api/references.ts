/**
 * @module
 * A stream's reference versions: list, one in full, activate.
 */
import { api } from "./client.ts";
import type { Schema } from "./schemas.ts";

export interface ReferenceCalibration {
  adwin?: { delta: number; replayedUpdates: number; falseAlarms: number; falseAlarmsPer10k: number };
  psiSplitHalf?: number[];
  mmdNull?: { splits: number; halfSize: number; q95: number; q99: number };
}

export type Reference = Omit<Schema<"Reference">, "calibration"> & {
  calibration: ReferenceCalibration | null;
};

const path = (stream: string) => `/v1/streams/${encodeURIComponent(stream)}/references`;

export async function listReferences(stream: string, doFetch?: typeof fetch): Promise<Reference[]> {
  return (await api<{ references: Reference[] }>(path(stream), doFetch ? { fetch: doFetch } : {})).references;
}

export function activateReference(stream: string, version: number): Promise<Reference> {
  return api<Reference>(`${path(stream)}/${version}/activate`, { method: "POST" });
}

/** The export URL (a JSON file download, same-origin with the session cookie). */
export function referenceExportUrl(stream: string, version: number): string {
  return `${path(stream)}/${version}/export`;
}

/** Cumulative explained variance after each component. */
export function cumulative(ratios: readonly number[]): number[] {
  let sum = 0;
  return ratios.map((ratio) => (sum += ratio));
}

/**
 * The tenant's stream names, for the pages that work one stream at a time (references,
 * settings); only the names, so this does not duplicate the streams overview's own module.
 */
export async function listStreamNames(doFetch?: typeof fetch): Promise<string[]> {
  const body = await api<{ streams: { name: string }[] }>("/v1/streams", doFetch ? { fetch: doFetch } : {});
  return body.streams.map((stream) => stream.name);
}
