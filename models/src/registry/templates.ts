/**
 * @module
 * Canonical five-point templates for aligned crops.
 */
import type { FivePoints, Point } from "../pipeline/image.ts";

/**
 * The ArcFace / InsightFace 112×112 template (insightface `arcface_dst`), also the
 * `REFERENCE_FACIAL_POINTS` that faceplugin's own `fr_feature.js` aligns to.
 */
export const ARCFACE_112: FivePoints = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * The ArcFace template placed in a `size × size` crop, zoomed about the crop centre.
 * `zoom < 1` leaves more margin around the face (looser crops suit models trained on
 * box crops rather than on ArcFace alignment).
 */
export function scaledArcFace(size: number, zoom = 1): FivePoints {
  const s = (size / 112) * zoom;
  const c = size / 2;
  const place = ([x, y]: Point): Point => [c + (x - 56) * s, c + (y - 56) * s];
  return ARCFACE_112.map(place) as unknown as FivePoints;
}
