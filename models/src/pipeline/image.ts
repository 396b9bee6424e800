/**
 * @module
 * The image and geometry types every pipeline stage speaks. Plain RGBA bytes keep the core free of
 * canvas, sharp or tensors, so the same code runs in a web worker, in headless Chromium and in Node.
 */

/** An RGBA image, row-major, 4 bytes per pixel (the layout of `ImageData`). */
export interface RgbaImage {
  readonly data: Uint8ClampedArray | Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** A point in pixel coordinates of some image. */
export type Point = readonly [x: number, y: number];

/** An axis-aligned box in pixel coordinates. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Five facial points in ArcFace order: left eye, right eye, nose tip, left mouth corner, right mouth corner. */
export type FivePoints = readonly [Point, Point, Point, Point, Point];

/** Makes an empty (transparent black) RGBA image. */
export function createImage(width: number, height: number): RgbaImage {
  return { data: new Uint8ClampedArray(width * height * 4), width, height };
}

/** Luma (ITU-R BT.601) of every pixel, the grey level used by the quality signals and the landmarker. */
export function toGray(image: RgbaImage): Float32Array {
  const gray = new Float32Array(image.width * image.height);
  const { data } = image;
  for (let i = 0, p = 0; i < gray.length; i++, p += 4) {
    gray[i] = 0.299 * (data[p] ?? 0) + 0.587 * (data[p + 1] ?? 0) + 0.114 * (data[p + 2] ?? 0);
  }
  return gray;
}
