/**
 * @module
 * The face pipeline: detect → landmarks → align → embed (→ L2-normalise), with quality signals
 * and per-stage timings. Pure over `RgbaImage`; every model sits behind a stage interface, so the
 * same code serves the worker, headless Chromium and the Node CLI.
 */
import { ARCFACE_112 } from "../registry/templates.ts";
import type { Box, FivePoints, RgbaImage } from "./image.ts";
import {
  alignmentResidual,
  type FaceQuality,
  laplacianVariance,
  meanBrightness,
  noiseSigma,
  toneSignals,
} from "./quality.ts";
import { estimateSimilarity } from "./similarity.ts";
import type { Detection, Detector, Embedder, Landmarker } from "./stages.ts";
import { l2Normalize, vectorNorm } from "./tensor.ts";
import { warpAffine } from "./warp.ts";

/** One processed face. */
export interface Face {
  readonly box: Box;
  readonly score: number;
  readonly landmarks: FivePoints;
  /** Signals of the face and its crop; `embeddingNorm` is absent here (it is per embedder, see {@link qualityFor}). */
  readonly quality: FaceQuality;
  /** Unit-norm embedding per embedder id. */
  readonly embeddings: Readonly<Record<string, Float32Array>>;
  /** Norm of each embedder's raw output before normalisation. */
  readonly embeddingNorms: Readonly<Record<string, number>>;
}

/** The face's quality signals as one embedder saw it: the face's own plus that embedder's output norm. */
export function qualityFor(face: Face, embedderId: string): FaceQuality {
  const norm = face.embeddingNorms[embedderId];
  return norm === undefined ? face.quality : { ...face.quality, embeddingNorm: norm };
}

/** Milliseconds spent per stage for one image (embedding and alignment per embedder, summed over faces). */
export interface StageTimings {
  detect: number;
  landmarks: number;
  quality: number;
  align: Record<string, number>;
  embed: Record<string, number>;
}

/** What {@link FacePipeline.process} returns. */
export interface PipelineResult {
  readonly faces: Face[];
  readonly timings: StageTimings;
}

/** Chooses which detections go on to landmarks and embedding. */
export type FaceSelector = (detections: Detection[], image: RgbaImage) => Detection[];

/** Parts of a {@link FacePipeline}. */
export interface FacePipelineOptions {
  readonly detector: Detector;
  readonly landmarker: Landmarker;
  readonly embedders: readonly Embedder[];
  /** Defaults to keeping every detection. */
  readonly select?: FaceSelector;
  /** Clock for timings; injectable so tests can be deterministic. */
  readonly now?: () => number;
}

/** What {@link FacePipeline.processBatch} returns: each image's faces, and the stages' time for all of them. */
export interface PipelineBatchResult {
  readonly faces: Face[][];
  readonly timings: StageTimings;
}

/** A configured pipeline. */
export interface FacePipeline {
  /** `runtime/backend` per model id, e.g. `{ "faceplugin-detect": "onnxruntime-web/webgpu", … }`. */
  readonly runsOn: Readonly<Record<string, string>>;
  process(image: RgbaImage): Promise<PipelineResult>;
  /**
   * Several images at once: the detector over the images, the landmarker and each embedder over
   * all their faces, in model runs of at most `batchSize` items where the stage's model takes a
   * batch (derived entries, `models/src/registry/derive.ts`), one item per run otherwise. Per
   * image the same faces as `process` (`models/src/node/batch.test.ts`).
   */
  processBatch(images: readonly RgbaImage[], batchSize: number): Promise<PipelineBatchResult>;
}

/** Runs `items` through `batch` in chunks of `size`, or through `one` item by item where there is no batch form. */
async function inChunks<T, R>(
  items: readonly T[],
  size: number,
  one: (item: T) => Promise<R>,
  batch: ((items: readonly T[]) => Promise<R[]>) | undefined,
): Promise<R[]> {
  const out: R[] = [];
  if (!batch || size <= 1) {
    for (const item of items) out.push(await one(item));
    return out;
  }
  for (let i = 0; i < items.length; i += size) out.push(...(await batch(items.slice(i, i + size))));
  return out;
}

/** Keeps the one detection whose centre is nearest the image centre (LFW's convention for the subject). */
export const selectCentral: FaceSelector = (detections, image) => {
  const distance = ({ box }: Detection) =>
    Math.hypot(box.x + box.width / 2 - image.width / 2, box.y + box.height / 2 - image.height / 2);
  const best = detections.reduce<Detection | undefined>(
    (a, d) => (!a || distance(d) < distance(a) ? d : a),
    undefined,
  );
  return best ? [best] : [];
};

/** Keeps the largest detection (a capture station films one person, nearest the camera). */
export const selectLargest: FaceSelector = (detections) => {
  const area = ({ box }: Detection) => box.width * box.height;
  const best = detections.reduce<Detection | undefined>(
    (a, d) => (!a || area(d) > area(a) ? d : a),
    undefined,
  );
  return best ? [best] : [];
};

/** The crop whose blur and brightness are reported: ArcFace 112×112, independent of the embedders. */
const QUALITY_CROP = 112;

/** Builds a pipeline from its stages. */
export function createFacePipeline(options: FacePipelineOptions): FacePipeline {
  const now = options.now ?? (() => performance.now());
  const select = options.select ?? ((detections) => detections);
  const stages = [options.detector, options.landmarker, ...options.embedders];
  const qualityOf = (image: RgbaImage, detection: Detection, landmarks: FivePoints): FaceQuality => {
    const toTemplate = estimateSimilarity(landmarks, ARCFACE_112);
    const qualityCrop = warpAffine(image, toTemplate, QUALITY_CROP, QUALITY_CROP);
    return {
      faceSize: Math.min(detection.box.width, detection.box.height),
      detectorScore: detection.score,
      blur: laplacianVariance(qualityCrop),
      brightness: meanBrightness(qualityCrop),
      ...toneSignals(qualityCrop),
      noise: noiseSigma(qualityCrop),
      alignmentError: alignmentResidual(landmarks, ARCFACE_112, toTemplate),
    };
  };
  const cropFor = (embedder: Embedder, image: RgbaImage, landmarks: FivePoints) => {
    const { width, height, template } = embedder.crop;
    return warpAffine(image, estimateSimilarity(landmarks, template), width, height);
  };
  return {
    runsOn: Object.fromEntries(stages.map((stage) => [stage.id, stage.runsOn])),
    async process(image) {
      const timings: StageTimings = { detect: 0, landmarks: 0, quality: 0, align: {}, embed: {} };
      let t = now();
      const detections = select(await options.detector.detect(image), image);
      timings.detect = now() - t;
      const faces: Face[] = [];
      for (const detection of detections) {
        t = now();
        const landmarks = await options.landmarker.locate(image, detection);
        timings.landmarks += now() - t;

        t = now();
        const quality = qualityOf(image, detection, landmarks);
        timings.quality += now() - t;

        const embeddings: Record<string, Float32Array> = {};
        const embeddingNorms: Record<string, number> = {};
        for (const embedder of options.embedders) {
          t = now();
          const crop = cropFor(embedder, image, landmarks);
          timings.align[embedder.id] = (timings.align[embedder.id] ?? 0) + now() - t;
          t = now();
          const raw = await embedder.embed(crop);
          embeddingNorms[embedder.id] = vectorNorm(raw);
          embeddings[embedder.id] = l2Normalize(raw);
          timings.embed[embedder.id] = (timings.embed[embedder.id] ?? 0) + now() - t;
        }
        faces.push({
          box: detection.box,
          score: detection.score,
          landmarks,
          quality,
          embeddings,
          embeddingNorms,
        });
      }
      return { faces, timings };
    },
    async processBatch(images, batchSize) {
      const timings: StageTimings = { detect: 0, landmarks: 0, quality: 0, align: {}, embed: {} };
      const { detector, landmarker } = options;
      let t = now();
      const found = await inChunks(
        images,
        batchSize,
        (image) => detector.detect(image),
        detector.detectBatch?.bind(detector),
      );
      const items = found.flatMap((detections, index) => {
        const image = images[index] as RgbaImage;
        return select(detections, image).map((face) => ({ index, image, face }));
      });
      timings.detect = now() - t;

      t = now();
      const landmarks = await inChunks(
        items,
        batchSize,
        ({ image, face }) => landmarker.locate(image, face),
        landmarker.locateBatch?.bind(landmarker),
      );
      timings.landmarks = now() - t;

      t = now();
      const qualities = items.map(({ image, face }, i) => qualityOf(image, face, landmarks[i] as FivePoints));
      timings.quality = now() - t;

      const raws = new Map<string, Float32Array[]>();
      for (const embedder of options.embedders) {
        t = now();
        const crops = items.map(({ image }, i) => cropFor(embedder, image, landmarks[i] as FivePoints));
        timings.align[embedder.id] = now() - t;
        t = now();
        raws.set(
          embedder.id,
          await inChunks(
            crops,
            batchSize,
            (crop) => embedder.embed(crop),
            embedder.embedBatch?.bind(embedder),
          ),
        );
        timings.embed[embedder.id] = now() - t;
      }

      const faces: Face[][] = images.map(() => []);
      items.forEach(({ index, face }, i) => {
        const embeddings: Record<string, Float32Array> = {};
        const embeddingNorms: Record<string, number> = {};
        for (const embedder of options.embedders) {
          const raw = raws.get(embedder.id)?.[i] as Float32Array;
          embeddingNorms[embedder.id] = vectorNorm(raw);
          embeddings[embedder.id] = l2Normalize(raw);
        }
        faces[index]?.push({
          box: face.box,
          score: face.score,
          landmarks: landmarks[i] as FivePoints,
          quality: qualities[i] as FaceQuality,
          embeddings,
          embeddingNorms,
        });
      });
      return { faces, timings };
    },
  };
}
