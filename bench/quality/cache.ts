/**
 * @module
 * The embedding cache: one append-only NDJSON file per (model, shift set) under
 * `.cache/quality/<model>/<shift id>-<params hash>.ndjson`, one line per image (base64 f32, or
 * `noFace`). Appending a line per image makes extraction resumable after a kill, and rereading is
 * instant, so the report regenerates without touching the face pipeline. The hash covers the shift
 * parameters (and the noise seed), so a changed shift is a new file, never a stale one.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "./dataset.ts";
import { paramsHash, type Shift } from "./shifts.ts";

export const CACHE_DIR = join(REPO_ROOT, ".cache", "quality");

export interface CachedSet {
  /** Embeddings by image path. */
  embeddings: Map<string, Float32Array>;
  /** Images where the pipeline found no face (the shift defeated the detector). */
  noFace: Set<string>;
}

export function cacheFile(model: string, shift: Shift, seed: number): string {
  const salt = shift.params.kind === "noise" ? `-s${seed}` : "";
  return join(CACHE_DIR, model, `${shift.id}-${paramsHash(shift.params)}${salt}.ndjson`);
}

export function readCache(file: string): CachedSet {
  const set: CachedSet = { embeddings: new Map(), noFace: new Set() };
  if (!existsSync(file)) return set;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line) continue;
    let row: { image: string; embedding?: string; noFace?: boolean };
    try {
      row = JSON.parse(line);
    } catch {
      continue; // a line cut short by a kill mid-write: that image is simply extracted again
    }
    if (row.embedding) set.embeddings.set(row.image, decodeF32(row.embedding));
    else if (row.noFace) set.noFace.add(row.image);
  }
  return set;
}

export function appendToCache(file: string, image: string, embedding: Float32Array | undefined): void {
  mkdirSync(dirname(file), { recursive: true });
  const row = embedding ? { image, embedding: encodeF32(embedding) } : { image, noFace: true };
  appendFileSync(file, `${JSON.stringify(row)}\n`);
}

export function encodeF32(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
}

export function decodeF32(b64: string): Float32Array {
  const bytes = Buffer.from(b64, "base64");
  // Copy into an aligned buffer: a Buffer's byteOffset need not be a multiple of 4.
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
