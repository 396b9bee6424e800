/**
 * @module
 * Bilinear affine warp of an RGBA image, the one resampling routine of the pipeline (alignment,
 * detector resize, landmark crop). Written in TS because it must run identically in a worker and
 * in Node without canvas or sharp; it is the `warpAffine` of OpenCV with `INTER_LINEAR` and a
 * constant black border.
 */

import type { RgbaImage } from "./image.ts";
import { type Affine, invertAffine } from "./similarity.ts";

/**
 * Warps `source` by `sourceToTarget` into a `width × height` image. Pixel (x, y) of the result
 * samples the source at `inverse(sourceToTarget)(x, y)`; outside the source it is black and opaque.
 */
export function warpAffine(
  source: RgbaImage,
  sourceToTarget: Affine,
  width: number,
  height: number,
): RgbaImage {
  const [a, b, c, d, e, f] = invertAffine(sourceToTarget);
  const out = new Uint8ClampedArray(width * height * 4);
  const { data, width: sw, height: sh } = source;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = a * x + b * y + c;
      const sy = d * x + e * y + f;
      const o = (y * width + x) * 4;
      out[o + 3] = 255;
      if (sx <= -1 || sy <= -1 || sx >= sw || sy >= sh) continue;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const wx = sx - x0;
      const wy = sy - y0;
      for (let ch = 0; ch < 3; ch++) {
        // Neighbours outside the source count as black, as with OpenCV's BORDER_CONSTANT.
        const p00 = sample(data, sw, sh, x0, y0, ch);
        const p10 = sample(data, sw, sh, x0 + 1, y0, ch);
        const p01 = sample(data, sw, sh, x0, y0 + 1, ch);
        const p11 = sample(data, sw, sh, x0 + 1, y0 + 1, ch);
        out[o + ch] = (p00 * (1 - wx) + p10 * wx) * (1 - wy) + (p01 * (1 - wx) + p11 * wx) * wy;
      }
    }
  }
  return { data: out, width, height };
}

function sample(data: RgbaImage["data"], w: number, h: number, x: number, y: number, ch: number): number {
  if (x < 0 || y < 0 || x >= w || y >= h) return 0;
  return data[(y * w + x) * 4 + ch] ?? 0;
}

/**
 * Resizes with the half-pixel-centre convention of OpenCV's `resize` (pixel centres line up),
 * so detector boxes scale back to the source by `source size / target size` exactly.
 */
export function resize(source: RgbaImage, width: number, height: number): RgbaImage {
  const sx = width / source.width;
  const sy = height / source.height;
  return warpAffine(source, [sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5], width, height);
}
