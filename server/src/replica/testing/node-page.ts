/**
 * Test support (not a test): an `ImageEmbedder` with the replica page's contract — bytes in, the
 * largest face out — over this process's Node pipeline (the same models, on WASM). It lets the
 * replica's job handling run real embeddings in unit tests without Chromium; the journey through
 * the real page is `e2e/replica.e2e.test.ts`. Browser and Node embeddings agree to cosine 0.99997
 * (BENCHMARKS.md), so numbers measured here carry over.
 */
import { decodeImage } from "@facedrift/models/node";
import { facePipeline, loadFaceStages } from "../../verification/pipeline.ts";
import type { ImageEmbedder, PageImageResult } from "../chromium.ts";

export async function nodePageEmbedder(model?: string): Promise<ImageEmbedder> {
  const started = performance.now();
  const stages = await loadFaceStages(model);
  const all = facePipeline(stages, "all");
  const { id, version, output } = stages.entry;
  return {
    loaded: {
      engines: [{ runtime: "node", backend: Object.values(stages.runsOn).join(", ") }],
      embedder: { id, version, dimension: output.dimension },
      loadMs: performance.now() - started,
    },
    async embed(bytes): Promise<PageImageResult> {
      let image: Awaited<ReturnType<typeof decodeImage>>;
      try {
        image = await decodeImage(bytes);
      } catch (error) {
        return { ok: false, stage: "decode", message: (error as Error).message };
      }
      const t0 = performance.now();
      const { faces, detected } = await all(image);
      // The capture worker keeps the largest face (web/src/lib/worker/face.worker.ts).
      const area = (face: (typeof faces)[number]) => face.box.width * face.box.height;
      const largest = faces.reduce<(typeof faces)[number] | undefined>(
        (a, face) => (!a || area(face) > area(a) ? face : a),
        undefined,
      );
      return {
        ok: true,
        width: image.width,
        height: image.height,
        detected,
        faces: largest
          ? [
              {
                box: largest.box,
                score: largest.score,
                quality: { ...largest.quality },
                embedding: Array.from(largest.embeddings[id] as Float32Array),
              },
            ]
          : [],
        engines: [{ runtime: "node", backend: "wasm" }],
        totalMs: performance.now() - t0,
      };
    },
    close: async () => undefined,
  };
}
