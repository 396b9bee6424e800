/**
 * @module
 * Greedy non-maximum suppression by intersection over union, the standard post-processing of SSD
 * style detectors. A dozen lines, so not worth a dependency.
 */
import type { Box } from "./image.ts";
import type { Detection } from "./stages.ts";

/** Intersection over union of two boxes. */
export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/** Keeps the best-scoring detections, dropping any that overlaps a kept one by more than `threshold`. */
export function nonMaxSuppression(detections: readonly Detection[], threshold: number): Detection[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const candidate of sorted) {
    if (kept.every((k) => iou(k.box, candidate.box) <= threshold)) kept.push(candidate);
  }
  return kept;
}
