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

/** A configured pipeline. */
export interface FacePipeline {
  /** `runtime/backend` per model id, e.g. `{ "faceplugin-detect": "onnxruntime-web/webgpu", … }`. */
  readonly runsOn: Readonly<Record<string, string>>;
  process(image: RgbaImage): Promise<PipelineResult>;
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
        const toTemplate = estimateSimilarity(landmarks, ARCFACE_112);
        const qualityCrop = warpAffine(image, toTemplate, QUALITY_CROP, QUALITY_CROP);
        const quality: FaceQuality = {
          faceSize: Math.min(detection.box.width, detection.box.height),
          detectorScore: detection.score,
          blur: laplacianVariance(qualityCrop),
          brightness: meanBrightness(qualityCrop),
          ...toneSignals(qualityCrop),
          noise: noiseSigma(qualityCrop),
          alignmentError: alignmentResidual(landmarks, ARCFACE_112, toTemplate),
        };
        timings.quality += now() - t;

        const embeddings: Record<string, Float32Array> = {};
        const embeddingNorms: Record<string, number> = {};
        for (const embedder of options.embedders) {
          const { width, height, template } = embedder.crop;
          t = now();
          const crop = warpAffine(image, estimateSimilarity(landmarks, template), width, height);
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
  };
}
