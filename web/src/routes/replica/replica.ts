/**
 * @module
 * What the replica page puts on `window.facedriftReplica` for the server's replica process
 * (`server/src/replica/`) to call through Playwright: image bytes in, faces out. It drives the
 * capture station's own worker (`$lib/worker/client.ts`) and decodes with `createImageBitmap`, as
 * the capture path does, so a replica's embeddings are the browser's by construction.
 */
import type { Box, FaceQuality, StageTimings } from "@facedrift/models";
import { FaceClient } from "$lib/worker/client.ts";
import { OTHER_EMBEDDERS } from "$lib/worker/models.ts";
import type { EmbedderInfo, EngineInfo, FaceChoice, FrameFace } from "$lib/worker/protocol.ts";

export interface ReplicaLoaded {
  engines: EngineInfo[];
  embedder: EmbedderInfo;
  /** The other embedders `again` can use (a stream's candidate or promoted model). */
  others: EmbedderInfo[];
  loadMs: number;
  /** Set when loading on WebGPU failed and the worker loaded on WASM instead: why. */
  fallback?: string;
}

export interface ReplicaFace {
  box: Box;
  score: number;
  quality: FaceQuality;
  /** Unit-norm; plain numbers so Playwright can carry them (each is an exact float32). */
  embedding: number[];
}

export type ReplicaImageResult =
  | {
      ok: true;
      width: number;
      height: number;
      /** Faces the detector found; `faces` holds the selected one only. */
      detected: number;
      faces: ReplicaFace[];
      engines: EngineInfo[];
      totalMs: number;
      fallback?: string;
      /**
       * From `embedBatch`: this image's place among the batch's decoded images (for `again`), and
       * each stage's time for the whole call (`npm run bench:gpu` reads it).
       */
      batch?: { index: number; size: number; timings: StageTimings };
    }
  | { ok: false; stage: "decode" | "pipeline"; message: string };

export type ReplicaAgainResult =
  | { ok: true; embedder: EmbedderInfo; face: ReplicaFace | null; totalMs: number }
  | { ok: false; stage: "pipeline"; message: string };

export interface ReplicaApi {
  /** Resolves once the models are loaded (rejects with the worker's reason). */
  ready: Promise<ReplicaLoaded>;
  /** Runs one image, given as base64, through the pipeline, keeping the `select`ed face. */
  embed(base64: string, mediaType: string, select?: FaceChoice): Promise<ReplicaImageResult>;
  /**
   * Several images through the pipeline in batched model runs of at most `batchSize` (the
   * detector over the images, the landmarker and embedder over their faces): per image the same
   * result as `embed`. An image the browser cannot decode fails alone.
   */
  embedBatch(
    images: Array<{ base64: string; mediaType: string }>,
    batchSize: number,
    select?: FaceChoice,
  ): Promise<ReplicaImageResult[]>;
  /** The last image's kept face embedded with another embedder (one of `others`); `item`: of the last batch. */
  again(model: { id: string; version: string }, item?: number): Promise<ReplicaAgainResult>;
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  // data: URLs would be shorter, but the app's CSP limits fetch to its own origin.
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Plain numbers, so Playwright can carry them (each is an exact float32). */
const replicaFace = ({ box, score, quality, embedding }: FrameFace): ReplicaFace => ({
  box,
  score,
  quality,
  embedding: Array.from(embedding),
});

export function createReplicaApi(bases: { modelsBase: string; tfjsWasmBase: string }): ReplicaApi {
  const client = new FaceClient();
  const others = OTHER_EMBEDDERS.map((e) => ({
    id: e.id,
    version: e.version,
    dimension: e.output?.dimension ?? 0,
  }));
  const ready = client.load(bases).then(({ engines, embedder, loadMs, fallback }) => ({
    engines,
    embedder,
    others,
    loadMs,
    ...(fallback ? { fallback } : {}),
  }));
  return {
    ready,
    async embed(base64, mediaType, select) {
      await ready;
      let bitmap: ImageBitmap;
      try {
        // EXIF orientation is applied by default ("from-image"), as sharp's rotate() does in Node.
        bitmap = await createImageBitmap(new Blob([fromBase64(base64)], { type: mediaType }));
      } catch (error) {
        return { ok: false, stage: "decode", message: reason(error) };
      }
      try {
        const processed = await client.process(bitmap, select);
        return {
          ok: true,
          width: processed.width,
          height: processed.height,
          detected: processed.detected,
          faces: processed.faces.map(({ box, score, quality, embedding }) => ({
            box,
            score,
            quality,
            embedding: Array.from(embedding),
          })),
          engines: processed.engines,
          totalMs: processed.totalMs,
          ...(processed.fallback ? { fallback: processed.fallback } : {}),
        };
      } catch (error) {
        return { ok: false, stage: "pipeline", message: reason(error) };
      }
    },
    async embedBatch(images, batchSize, select) {
      await ready;
      // EXIF orientation is applied by default ("from-image"), as sharp's rotate() does in Node.
      const decoded = await Promise.all(
        images.map(({ base64, mediaType }) =>
          createImageBitmap(new Blob([fromBase64(base64)], { type: mediaType })).then(
            (bitmap) => ({ ok: true as const, bitmap }),
            (error: unknown) => ({ ok: false as const, message: reason(error) }),
          ),
        ),
      );
      const bitmaps = decoded.flatMap((d) => (d.ok ? [d.bitmap] : []));
      let processed: Awaited<ReturnType<FaceClient["processBatch"]>> | undefined;
      let failure: string | undefined;
      try {
        if (bitmaps.length > 0) processed = await client.processBatch(bitmaps, batchSize, select);
      } catch (error) {
        failure = reason(error);
      }
      let next = 0;
      return decoded.map((d): ReplicaImageResult => {
        if (!d.ok) return { ok: false, stage: "decode", message: d.message };
        const item = processed?.items[next];
        const index = next++;
        if (!processed || !item) return { ok: false, stage: "pipeline", message: failure ?? "no result" };
        return {
          ok: true,
          width: item.width,
          height: item.height,
          detected: item.detected,
          faces: item.faces.map(replicaFace),
          engines: processed.engines,
          // The batch's time, shared evenly: a stored file's totalMs stays comparable with `embed`'s.
          totalMs: processed.totalMs / processed.items.length,
          batch: { index, size: bitmaps.length, timings: processed.timings },
          ...(processed.fallback ? { fallback: processed.fallback } : {}),
        };
      });
    },
    async again(model, item) {
      await ready;
      try {
        const { embedder, face, totalMs } = await client.again(model, item);
        return {
          ok: true,
          embedder,
          totalMs,
          face: face
            ? {
                box: face.box,
                score: face.score,
                quality: face.quality,
                embedding: Array.from(face.embedding),
              }
            : null,
        };
      } catch (error) {
        return { ok: false, stage: "pipeline", message: reason(error) };
      }
    },
  };
}
