/**
 * @module
 * Embeddings of a folder of photos, one record per face, through the same pipeline as the
 * verification job (and the same models as the capture worker): `facedrift extract` writes the
 * records as NDJSON. `embedding_b64` is the little-endian float32 encoding that ingestion
 * accepts, so a line's `model` and `embedding_b64` can be posted to a stream as they are.
 */
import type { FaceQuality } from "@facedrift/models";
import { type Progress, processImages } from "./images.ts";
import { nodeFaceSource } from "./pipeline.ts";

export type ExtractRecord =
  | {
      path: string;
      /** Index of the face within the image, in detector order. */
      face: number;
      model: { id: string; version: string };
      embedding_b64: string;
      quality: FaceQuality;
      box: { x: number; y: number; width: number; height: number };
    }
  | { path: string; error: string; message?: string };

export interface ExtractInput {
  imagesDir: string;
  /** Paths relative to `imagesDir`. */
  images: readonly string[];
  model?: string;
  /** `all` faces (default) or only the `central` one of each image. */
  faces?: "all" | "central";
  onProgress?: (progress: Progress) => void;
}

export async function* extractEmbeddings(input: ExtractInput): AsyncGenerator<ExtractRecord> {
  const source = await nodeFaceSource(input.model, input.faces ?? "all");
  const { id, version } = source.model;
  for await (const outcome of processImages(
    source.fileFaces,
    input.imagesDir,
    input.images,
    input.onProgress,
  )) {
    if ("failure" in outcome) {
      yield {
        path: outcome.name,
        error: outcome.failure,
        ...(outcome.message === undefined ? {} : { message: outcome.message }),
      };
      continue;
    }
    for (const [index, face] of outcome.faces.entries()) {
      yield {
        path: outcome.name,
        face: index,
        model: { id, version },
        embedding_b64: float32Base64(face.embeddings[id] as Float32Array),
        quality: face.quality,
        box: { x: face.box.x, y: face.box.y, width: face.box.width, height: face.box.height },
      };
    }
  }
}

/** Little-endian float32 bytes in base64, whatever the host's byte order. */
function float32Base64(values: Float32Array): string {
  const bytes = Buffer.alloc(values.length * 4);
  for (const [i, value] of values.entries()) bytes.writeFloatLE(value, i * 4);
  return bytes.toString("base64");
}
