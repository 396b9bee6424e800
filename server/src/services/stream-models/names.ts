/**
 * @module
 * Names of model tracks. The current track's row carries the stream's own name; every other track
 * is named `stream~model@version`. `~` is outside the characters a stream name may use, so a track
 * name can never be taken by a stream created through ingestion, and it still fits in a URL path.
 */
import { FacedriftError } from "../../errors.ts";

export interface ModelRef {
  id: string;
  version: string;
}

/** What a model id or version may contain to be part of a track name (URL-safe). */
const PART = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

export const TRACK_SEPARATOR = "~";

export function trackName(stream: string, model: ModelRef): string {
  return `${stream}${TRACK_SEPARATOR}${model.id}@${model.version}`;
}

export function isTrackName(name: string): boolean {
  return name.includes(TRACK_SEPARATOR);
}

/** The stream a name belongs to: itself, or the part before `~` of a track name. */
export function streamOf(name: string): string {
  const at = name.indexOf(TRACK_SEPARATOR);
  return at < 0 ? name : name.slice(0, at);
}

/** Refuses a model whose id or version could not be part of a track name (400 naming the field). */
export function checkTrackModel(model: ModelRef, field = "model"): void {
  for (const key of ["id", "version"] as const) {
    if (!PART.test(model[key])) {
      throw new FacedriftError(
        "invalid_request",
        `${field}.${key}: a candidate model's ${key} must be 1–128 of A–Z a–z 0–9 . _ + -, starting with a letter or digit`,
        { field: `${field}.${key}` },
      );
    }
  }
}
