/**
 * @module
 * Per-face quality signals. They are measured on the aligned crop, so blur and brightness are
 * comparable across photos of different resolution; the face size is measured in the source.
 */
import { type Point, type RgbaImage, toGray } from "./image.ts";
import type { Affine } from "./similarity.ts";

/**
 * Quality signals of one face: how well the pipeline sees it, as opposed to who it is. Drift
 * detection uses them as identity-insensitive evidence of an input or pipeline change (a camera,
 * lighting or pre-processing change moves them; a different population mostly does not).
 */
export interface FaceQuality {
  /** Side of the detector box in source pixels (the smaller of width and height). */
  readonly faceSize: number;
  /** Detector confidence in [0, 1]. */
  readonly detectorScore: number;
  /** Variance of the 4-neighbour Laplacian of the grey aligned crop; low means blurred (Pech-Pacheco et al. 2000). */
  readonly blur: number;
  /** Mean grey level of the aligned crop in [0, 255]. */
  readonly brightness: number;
  /** Standard deviation of the grey aligned crop (RMS contrast) in grey levels. */
  readonly contrast?: number;
  /** Share of the aligned crop's pixels with a channel at 0–4 or 251–255 (clipped by exposure). */
  readonly clipped?: number;
  /** Mean chroma (max − min of R, G, B) of the aligned crop in [0, 255]; 0 for a grey image. */
  readonly saturation?: number;
  /** Estimated sensor-noise σ of the grey aligned crop in grey levels (Immerkær 1996). */
  readonly noise?: number;
  /**
   * RMS distance between the five landmarks and the alignment template after the best similarity
   * fit, in units of the template's eye distance: large for a profile view, a tilted camera or a
   * landmarker that lost the face.
   */
  readonly alignmentError?: number;
  /**
   * Norm of the embedder's raw output before L2 normalisation. Recognition networks trained with
   * softmax-type losses shrink it on hard, degraded faces (Ranjan et al. 2017; the principle behind
   * MagFace), so it tracks how recognisable the face is.
   */
  readonly embeddingNorm?: number;
}

/** Variance of the discrete Laplacian over the interior pixels of `image`. */
export function laplacianVariance(image: RgbaImage): number {
  const { width: w, height: h } = image;
  if (w < 3 || h < 3) return 0;
  const gray = toGray(image);
  let sum = 0;
  let sumSquares = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let i = y * w + 1; i < (y + 1) * w - 1; i++) {
      const lap =
        (gray[i - 1] as number) +
        (gray[i + 1] as number) +
        (gray[i - w] as number) +
        (gray[i + w] as number) -
        4 * (gray[i] as number);
      sum += lap;
      sumSquares += lap * lap;
    }
  }
  const n = (w - 2) * (h - 2);
  const mean = sum / n;
  // Rounding can leave a few ulps below 0 on a flat crop; a variance is never negative (and the
  // ingest API refuses a negative blur).
  return Math.max(0, sumSquares / n - mean * mean);
}

/** Mean grey level of `image`. */
export function meanBrightness(image: RgbaImage): number {
  const gray = toGray(image);
  let sum = 0;
  for (const g of gray) sum += g;
  return gray.length === 0 ? 0 : sum / gray.length;
}

/** Tone of the aligned crop: RMS contrast, clipped share and mean chroma in one pass. */
export function toneSignals(image: RgbaImage): { contrast: number; clipped: number; saturation: number } {
  const { data } = image;
  const pixels = data.length / 4;
  if (pixels === 0) return { contrast: 0, clipped: 0, saturation: 0 };
  let sum = 0;
  let sumSquares = 0;
  let clipped = 0;
  let chroma = 0;
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i] as number;
    const g = data[i + 1] as number;
    const b = data[i + 2] as number;
    // ITU-R BT.601 luma, as toGray.
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    sum += y;
    sumSquares += y * y;
    const hi = Math.max(r, g, b);
    const lo = Math.min(r, g, b);
    if (hi >= 251 || lo <= 4) clipped++;
    chroma += hi - lo;
  }
  const mean = sum / pixels;
  return {
    contrast: Math.sqrt(Math.max(0, sumSquares / pixels - mean * mean)),
    clipped: clipped / pixels,
    saturation: chroma / pixels,
  };
}

/**
 * Immerkær's fast noise-variance estimate ("Fast Noise Variance Estimation", CVIU 64(2), 1996):
 * the image convolved with the difference of two Laplacians, whose response to smooth structure
 * is near zero, leaves mostly noise; σ = √(π/2) · mean|response| / 6. Ten lines, no library does
 * only this on an RGBA buffer.
 */
export function noiseSigma(image: RgbaImage): number {
  const { width: w, height: h } = image;
  if (w < 3 || h < 3) return 0;
  const gray = toGray(image);
  const at = (i: number) => gray[i] as number;
  let total = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let i = y * w + 1; i < (y + 1) * w - 1; i++) {
      // Kernel [[1,-2,1],[-2,4,-2],[1,-2,1]].
      const r =
        at(i - w - 1) -
        2 * at(i - w) +
        at(i - w + 1) -
        2 * at(i - 1) +
        4 * at(i) -
        2 * at(i + 1) +
        at(i + w - 1) -
        2 * at(i + w) +
        at(i + w + 1);
      total += Math.abs(r);
    }
  }
  return (Math.sqrt(Math.PI / 2) * total) / (6 * (w - 2) * (h - 2));
}

/**
 * RMS residual of mapping `points` onto `template` by `transform` (their best similarity fit),
 * divided by the template's eye distance (its first two points), so it does not depend on the
 * crop size.
 */
export function alignmentResidual(
  points: readonly Point[],
  template: readonly Point[],
  transform: Affine,
): number {
  const [a, b, c, d, e, f] = transform;
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    const [x, y] = points[i] as Point;
    const [u, v] = template[i] as Point;
    sum += (a * x + b * y + c - u) ** 2 + (d * x + e * y + f - v) ** 2;
  }
  const [l, r] = [template[0] as Point, template[1] as Point];
  const eyes = Math.hypot(r[0] - l[0], r[1] - l[1]) || 1;
  return Math.sqrt(sum / Math.max(1, points.length)) / eyes;
}
