/**
 * Test support (not a test): an `ImageEmbedder` with the replica page's contract — bytes in, the
 * selected face out — over this process's Node pipeline (the same models, on WASM). It lets the
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
  const largest = facePipeline(stages, "largest");
  const central = facePipeline(stages, "central");
  const { id, version, output } = stages.entry;
  return {
    loaded: {
      engines: [{ runtime: "node", backend: Object.values(stages.runsOn).join(", ") }],
      embedder: { id, version, dimension: output.dimension },
      loadMs: performance.now() - started,
    },
    async embed(bytes, _mediaType, select = "largest"): Promise<PageImageResult> {
      let image: Awaited<ReturnType<typeof decodeImage>>;
      try {
        image = await decodeImage(bytes);
      } catch (error) {
        return { ok: false, stage: "decode", message: (error as Error).message };
      }
      const t0 = performance.now();
      // As the capture worker selects (models' selectLargest / selectCentral).
      const { faces, detected } = await (select === "central" ? central : largest)(image);
      const chosen = faces[0];
      return {
        ok: true,
        width: image.width,
        height: image.height,
        detected,
        faces: chosen
          ? [
              {
                box: chosen.box,
                score: chosen.score,
                quality: { ...chosen.quality },
                embedding: Array.from(chosen.embeddings[id] as Float32Array),
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
