/**
 * @module
 * The contracts of the three model-backed stages. Each implementation wraps one `ModelSession`,
 * so the pipeline can mix runtimes (an ONNX detector with a tfjs embedder, say).
 */
import type { Box, FivePoints, RgbaImage } from "./image.ts";

/** One face found by a detector. */
export interface Detection {
  readonly box: Box;
  /** Confidence in [0, 1]. */
  readonly score: number;
}

/** Finds faces in an image. */
export interface Detector {
  readonly id: string;
  /** `runtime/backend` of the model behind the stage. */
  readonly runsOn: string;
  detect(image: RgbaImage): Promise<Detection[]>;
  /**
   * The same for several images in one model run (a derived entry with a symbolic batch
   * dimension); per image the same detections as `detect`. Absent: one run per image.
   */
  detectBatch?(images: readonly RgbaImage[]): Promise<Detection[][]>;
}

/** Places the five alignment points of one detected face. */
export interface Landmarker {
  readonly id: string;
  readonly runsOn: string;
  locate(image: RgbaImage, face: Detection): Promise<FivePoints>;
  /** `locate` for several faces in one model run; absent: one run per face. */
  locateBatch?(faces: ReadonlyArray<{ image: RgbaImage; face: Detection }>): Promise<FivePoints[]>;
}

/**
 * Embeds an aligned crop. Returns the model's raw output: the pipeline L2-normalises it and keeps
 * the norm, a quality signal (`FaceQuality.embeddingNorm`).
 */
export interface Embedder {
  readonly id: string;
  readonly runsOn: string;
  readonly dimension: number;
  /** The aligned crop the embedder wants: its size and where the five points go in it. */
  readonly crop: { readonly width: number; readonly height: number; readonly template: FivePoints };
  embed(crop: RgbaImage): Promise<Float32Array>;
  /** `embed` for several crops in one model run; absent: one run per crop. */
  embedBatch?(crops: readonly RgbaImage[]): Promise<Float32Array[]>;
}
