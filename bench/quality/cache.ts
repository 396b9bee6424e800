/**
 * @module
 * The embedding cache: one append-only NDJSON file per (model, shift set) under
 * `.cache/quality/<model>/<shift id>-<params hash>.ndjson`, one line per image (base64 f32 and the
 * face's quality signals as that model's pipeline saw it, or `noFace`). Appending a line per image makes extraction resumable after a kill, and rereading is
 * instant, so the report regenerates without touching the face pipeline. The hash covers the shift
 * parameters (and the noise seed), so a changed shift is a new file, never a stale one.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { FaceQuality } from "@facedrift/models";
import { REPO_ROOT } from "./dataset.ts";
import { paramsHash, type Shift } from "./shifts.ts";

export const CACHE_DIR = join(REPO_ROOT, ".cache", "quality");

export interface CachedSet {
  /** Embeddings by image path. */
  embeddings: Map<string, Float32Array>;
  /** Quality signals by image path (rows written before they were recorded have none). */
  quality: Map<string, FaceQuality>;
  /** Images where the pipeline found no face (the shift defeated the detector). */
  noFace: Set<string>;
}

/** Shifts whose pixels depend on the seed (noise drawn per image). */
const SEEDED_KINDS = new Set(["noise", "lowlight", "dirt"]);

export function cacheFile(model: string, shift: Shift, seed: number): string {
  const salt = SEEDED_KINDS.has(shift.params.kind) ? `-s${seed}` : "";
  return join(CACHE_DIR, model, `${shift.id}-${paramsHash(shift.params)}${salt}.ndjson`);
}

export function readCache(file: string): CachedSet {
  const set: CachedSet = { embeddings: new Map(), quality: new Map(), noFace: new Set() };
  if (!existsSync(file)) return set;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line) continue;
    let row: { image: string; embedding?: string; quality?: FaceQuality; noFace?: boolean };
    try {
      row = JSON.parse(line);
    } catch {
      continue; // a line cut short by a kill mid-write: that image is simply extracted again
    }
    if (row.embedding) {
      set.embeddings.set(row.image, decodeF32(row.embedding));
      if (row.quality) set.quality.set(row.image, row.quality);
    } else if (row.noFace) set.noFace.add(row.image);
  }
  return set;
}

export function appendToCache(
  file: string,
  image: string,
  face: { embedding: Float32Array; quality: FaceQuality } | undefined,
): void {
  mkdirSync(dirname(file), { recursive: true });
  const row = face
    ? { image, embedding: encodeF32(face.embedding), quality: face.quality }
    : { image, noFace: true };
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
