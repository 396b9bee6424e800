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
 * Places a template drawn for a `templateSize`-square crop into a `size`-square crop, zoomed about
 * the centre. `zoom < 1` leaves more margin around the face.
 */
export function placeTemplate(
  template: FivePoints,
  templateSize: number,
  size: number,
  zoom = 1,
): FivePoints {
  const s = (size / templateSize) * zoom;
  const place = ([x, y]: Point): Point => [
    size / 2 + (x - templateSize / 2) * s,
    size / 2 + (y - templateSize / 2) * s,
  ];
  return template.map(place) as unknown as FivePoints;
}

/** The ArcFace template placed in a `size × size` crop, zoomed about the crop centre. */
export function scaledArcFace(size: number, zoom = 1): FivePoints {
  return placeTemplate(ARCFACE_112, 112, size, zoom);
}

/**
 * Where dlib's `get_face_chip_details(shape, 150, 0.25)` puts the five points: dlib's 68-point mean
 * face (`mean_face_shape_x/y` in dlib/image_transforms/interpolation.h) reduced as in
 * `fivePointsFrom68`, then mapped to the chip by `(u + 0.25) / 1.5 · 150`. face-api's descriptor is
 * a port of dlib's ResNet, trained on such chips: eyes sit higher and closer than in ArcFace's crop.
 */
export const DLIB_150: FivePoints = [
  [47.42, 46.19],
  [100.61, 46.19],
  [74.01, 76.56],
  [52.23, 103.25],
  [95.8, 103.25],
];
