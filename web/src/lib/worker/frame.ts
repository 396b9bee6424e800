/**
 * @module
 * Turns a transferred `ImageBitmap` into the pipeline's `RgbaImage` inside the worker. One
 * OffscreenCanvas is reused across frames of the same size.
 */
import type { RgbaImage } from "@facedrift/models";

let canvas: OffscreenCanvas | undefined;
let context: OffscreenCanvasRenderingContext2D | undefined;

/** Reads the bitmap's pixels and closes it. */
export function bitmapToImage(frame: ImageBitmap): RgbaImage {
  const { width, height } = frame;
  if (!canvas || canvas.width !== width || canvas.height !== height) {
    canvas = new OffscreenCanvas(width, height);
    const created = canvas.getContext("2d", { willReadFrequently: true });
    if (!created) throw new Error("OffscreenCanvas 2d context is unavailable in this worker");
    context = created;
  }
  if (!context) throw new Error("bitmapToImage: no 2d context");
  context.drawImage(frame, 0, 0);
  frame.close();
  return context.getImageData(0, 0, width, height);
}
