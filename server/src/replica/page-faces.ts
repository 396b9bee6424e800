/**
 * @module
 * A verification run's faces from the replica's browser page: the same capture worker that
 * embeds uploaded images and browsers' frames, so the AUC a server job stores is the accuracy of
 * the embeddings the streams receive, on WebGPU where the host has one. The page keeps one face per
 * image: the `central` one by default (LFW's convention, as `facedrift verify`, so both report
 * the same AUC), the `largest` as capture does, or with `single` none when it saw several.
 */
import { readFile } from "node:fs/promises";
import type { FaceQuality } from "@facedrift/models";
import { fileTypeFromBuffer } from "file-type";
import { UnreadableImage } from "../verification/images.ts";
import type { FaceSource } from "../verification/pipeline.ts";
import type { ImageEmbedder } from "./chromium.ts";

/** What the page decodes (`createImageBitmap`), as the upload endpoint accepts. */
const PAGE_TYPES = new Set(["image/jpeg", "image/png", "image/webp"]);

export type PageFacePolicy = "central" | "largest" | "single";

/**
 * `alternate`: embed with another of the page's embedders (`loaded.others`, via `again`) instead of
 * its default, for a stream whose model is one of them (a candidate or a promoted model): the
 * same detection and selection, that model's embedding.
 */
export function pageFaceSource(
  embedder: ImageEmbedder,
  policy: PageFacePolicy = "central",
  alternate?: { id: string; version: string; dimension: number },
): FaceSource {
  const { engines } = embedder.loaded;
  const model = alternate ?? embedder.loaded.embedder;
  const again = alternate ? embedder.again : undefined;
  if (alternate && !again) throw new Error(`this replica page cannot embed with ${alternate.id}`);
  const runsOn = engines.map((engine) => `${engine.runtime}/${engine.backend}`).join(", ");
  return {
    model: { id: model.id, version: model.version, dimension: model.dimension },
    runsOn: { [model.id]: `browser page: ${runsOn}` },
    policy,
    fileFaces: async (path) => {
      const bytes = new Uint8Array(await readFile(path));
      const type = await fileTypeFromBuffer(bytes);
      if (!type || !PAGE_TYPES.has(type.mime)) {
        throw new UnreadableImage(`not a JPEG, PNG or WebP (${type?.mime ?? "unknown content"})`);
      }
      const result = await embedder.embed(bytes, type.mime, policy === "central" ? "central" : "largest");
      if (!result.ok) {
        if (result.stage === "decode") throw new UnreadableImage(result.message);
        throw new Error(`the page's pipeline failed on ${path}: ${result.message}`);
      }
      if (policy === "single" && result.detected > 1) return { faces: [], detected: result.detected };
      if (again && result.faces.length > 0) {
        const other = await again(model);
        if (!other.ok) throw new Error(`the page's ${model.id} failed on ${path}: ${other.message}`);
        const face = other.face;
        return {
          detected: result.detected,
          faces: face
            ? [
                {
                  box: face.box,
                  score: face.score,
                  quality: face.quality as unknown as FaceQuality,
                  embeddings: { [model.id]: Float32Array.from(face.embedding) },
                },
              ]
            : [],
        };
      }
      return {
        detected: result.detected,
        faces: result.faces.map((face) => ({
          box: face.box,
          score: face.score,
          // The page passes on the worker's FaceQuality; only its JSON type is looser.
          quality: face.quality as unknown as FaceQuality,
          embeddings: { [model.id]: Float32Array.from(face.embedding) },
        })),
      };
    },
  };
}
