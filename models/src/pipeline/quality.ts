/**
 * @module
 * Per-face quality signals. They are measured on the aligned crop, so blur and brightness are
 * comparable across photos of different resolution; the face size is measured in the source.
 */
import { type RgbaImage, toGray } from "./image.ts";

/** Quality signals of one face. */
export interface FaceQuality {
  /** Side of the detector box in source pixels (the smaller of width and height). */
  readonly faceSize: number;
  /** Detector confidence in [0, 1]. */
  readonly detectorScore: number;
  /** Variance of the 4-neighbour Laplacian of the grey aligned crop; low means blurred (Pech-Pacheco et al. 2000). */
  readonly blur: number;
  /** Mean grey level of the aligned crop in [0, 255]. */
  readonly brightness: number;
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
  return sumSquares / n - mean * mean;
}

/** Mean grey level of `image`. */
export function meanBrightness(image: RgbaImage): number {
  const gray = toGray(image);
  let sum = 0;
  for (const g of gray) sum += g;
  return gray.length === 0 ? 0 : sum / gray.length;
}
