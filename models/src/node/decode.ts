/**
 * @module
 * Image decoding in Node with sharp (libvips): JPEG, PNG and WebP to the pipeline's RGBA layout.
 * EXIF orientation is applied so that a rotated phone photo reaches the detector upright, as it
 * does in the browser's `createImageBitmap`.
 */
import sharp from "sharp";
import type { RgbaImage } from "../pipeline/image.ts";

/** Decodes an image file or buffer to RGBA. */
export async function decodeImage(input: string | Uint8Array): Promise<RgbaImage> {
  const { data, info } = await sharp(input)
    .rotate()
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}
