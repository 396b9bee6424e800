/**
 * @module
 * Reads a YUV4MPEG2 clip (the fake camera's `camera.y4m`: 4:2:0, limited range) and converts its
 * frames to RGBA the way Chromium's fake camera path does: BT.601 limited-range coefficients,
 * each chroma sample covering its 2×2 block (libyuv's I420ToARGB). Hand-written because no npm
 * package reads Y4M; the format is a text header and raw planes.
 */
import { readFileSync } from "node:fs";

export interface Y4mClip {
  width: number;
  height: number;
  /** One I420 buffer per frame: Y (w·h), then U and V (w/2·h/2 each). */
  frames: Uint8Array[];
}

export function readY4m(path: string): Y4mClip {
  const bytes = readFileSync(path);
  const headerEnd = bytes.indexOf(0x0a);
  const header = bytes.subarray(0, headerEnd).toString("latin1").split(" ");
  if (header[0] !== "YUV4MPEG2") throw new Error(`${path}: not a YUV4MPEG2 file`);
  const field = (tag: string) => header.find((part) => part.startsWith(tag))?.slice(1);
  const width = Number(field("W"));
  const height = Number(field("H"));
  const colour = field("C") ?? "420jpeg";
  if (!colour.startsWith("420")) throw new Error(`${path}: colour space ${colour}, only 4:2:0 is read`);
  const frameBytes = width * height + 2 * (width / 2) * (height / 2);
  const frames: Uint8Array[] = [];
  let at = headerEnd + 1;
  while (at < bytes.length) {
    const lineEnd = bytes.indexOf(0x0a, at);
    if (!bytes.subarray(at, lineEnd).toString("latin1").startsWith("FRAME"))
      throw new Error(`${path}: expected FRAME at byte ${at}`);
    at = lineEnd + 1;
    frames.push(bytes.subarray(at, at + frameBytes));
    at += frameBytes;
  }
  return { width, height, frames };
}

const clamp = (value: number) => (value < 0 ? 0 : value > 255 ? 255 : Math.round(value));

/** One I420 frame as RGBA (BT.601, limited range, nearest chroma). */
export function i420ToRgba(frame: Uint8Array, width: number, height: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  const chromaWidth = width / 2;
  const uPlane = width * height;
  const vPlane = uPlane + chromaWidth * (height / 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const luma = 1.164 * ((frame[y * width + x] as number) - 16);
      const chroma = (y >> 1) * chromaWidth + (x >> 1);
      const u = (frame[uPlane + chroma] as number) - 128;
      const v = (frame[vPlane + chroma] as number) - 128;
      const out = (y * width + x) * 4;
      rgba[out] = clamp(luma + 1.596 * v);
      rgba[out + 1] = clamp(luma - 0.391 * u - 0.813 * v);
      rgba[out + 2] = clamp(luma + 2.018 * u);
      rgba[out + 3] = 255;
    }
  }
  return rgba;
}
