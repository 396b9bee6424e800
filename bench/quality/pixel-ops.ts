/**
 * @module
 * Per-pixel image changes that sharp (libvips) has no operation for, over raw RGBA: chroma
 * subsampling, vignetting, drops on the lens, haze, posterisation and a perspective (yaw) warp.
 * Each is a few lines of arithmetic; a general image library would add a dependency for them.
 * Alpha is never touched.
 */
import { seededRng } from "@facedrift/stats";

export interface Rgba {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/**
 * Averages the BT.601 chroma (Cb, Cr) over `block × block` squares and keeps the luma per pixel:
 * what a 4:2:0-style subsampling with a coarse factor does to colour edges.
 */
export function subsampleChroma(image: Rgba, block: number): void {
  const { data, width, height } = image;
  for (let by = 0; by < height; by += block) {
    for (let bx = 0; bx < width; bx += block) {
      let cb = 0;
      let cr = 0;
      let n = 0;
      for (let y = by; y < Math.min(height, by + block); y++) {
        for (let x = bx; x < Math.min(width, bx + block); x++) {
          const i = (y * width + x) * 4;
          const [r, g, b] = [data[i] as number, data[i + 1] as number, data[i + 2] as number];
          cb += -0.168736 * r - 0.331264 * g + 0.5 * b;
          cr += 0.5 * r - 0.418688 * g - 0.081312 * b;
          n++;
        }
      }
      cb /= n;
      cr /= n;
      for (let y = by; y < Math.min(height, by + block); y++) {
        for (let x = bx; x < Math.min(width, bx + block); x++) {
          const i = (y * width + x) * 4;
          const luma =
            0.299 * (data[i] as number) + 0.587 * (data[i + 1] as number) + 0.114 * (data[i + 2] as number);
          data[i] = luma + 1.402 * cr;
          data[i + 1] = luma - 0.344136 * cb - 0.714136 * cr;
          data[i + 2] = luma + 1.772 * cb;
        }
      }
    }
  }
}

/** A grayscale camera: every pixel's R, G and B set to its BT.601 luma. */
export function grayscale(image: Rgba): void {
  const { data } = image;
  for (let i = 0; i < data.length; i += 4) {
    const luma =
      0.299 * (data[i] as number) + 0.587 * (data[i + 1] as number) + 0.114 * (data[i + 2] as number);
    data[i] = luma;
    data[i + 1] = luma;
    data[i + 2] = luma;
  }
}

/** Darkens towards the corners: gain 1 − strength·(r / r_corner)². */
export function vignette(image: Rgba, strength: number): void {
  const { data, width, height } = image;
  const cx = width / 2;
  const cy = height / 2;
  const corner = cx * cx + cy * cy;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const gain = 1 - (strength * ((x - cx) ** 2 + (y - cy) ** 2)) / corner;
      const i = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) data[i + c] = (data[i + c] as number) * gain;
    }
  }
}

/**
 * Seeded drops or dirt on the lens: soft round blotches that blend the image towards a pale,
 * featureless grey (a drop out of focus scatters light), with Gaussian opacity profiles.
 */
export function lensDirt(image: Rgba, drops: number, opacity: number, seed: number): void {
  const { data, width, height } = image;
  const rng = seededRng(seed);
  const alpha = new Float32Array(width * height);
  for (let k = 0; k < drops; k++) {
    const cx = rng() * width;
    const cy = rng() * height;
    const radius = (0.025 + 0.035 * rng()) * width;
    for (let y = Math.max(0, Math.floor(cy - 3 * radius)); y < Math.min(height, cy + 3 * radius); y++) {
      for (let x = Math.max(0, Math.floor(cx - 3 * radius)); x < Math.min(width, cx + 3 * radius); x++) {
        const a = opacity * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * radius * radius));
        const p = y * width + x;
        alpha[p] = 1 - (1 - (alpha[p] as number)) * (1 - a);
      }
    }
  }
  blendTowards(data, alpha, 200);
}

/** Atmospheric haze: every pixel blended `amount` of the way towards a light grey. */
export function haze(image: Rgba, amount: number): void {
  blendTowards(image.data, new Float32Array(image.width * image.height).fill(amount), 215);
}

function blendTowards(data: Uint8ClampedArray, alpha: Float32Array, grey: number): void {
  for (let p = 0; p < alpha.length; p++) {
    const a = alpha[p] as number;
    if (a === 0) continue;
    for (let c = 0; c < 3; c++) data[p * 4 + c] = (1 - a) * (data[p * 4 + c] as number) + a * grey;
  }
}

/** Quantises every channel to `levels` evenly spaced values. */
export function posterize(image: Rgba, levels: number): void {
  const step = 255 / (levels - 1);
  const { data } = image;
  for (let i = 0; i < data.length; i++)
    if (i % 4 !== 3) data[i] = Math.round((data[i] as number) / step) * step;
}

/**
 * A head turned away, approximated by the perspective of a plane rotated about the vertical
 * axis: the right edge recedes (shorter by `depth` of the height, drawn in by a third as much of
 * the width). Bilinear sampling through the homography that maps the output onto the source.
 */
export function perspectiveYaw(image: Rgba, depth: number): Rgba {
  const { width: w, height: h, data } = image;
  const inset = (depth * h) / 2;
  const pull = (depth * w) / 3;
  // Output corners (the receding quad) → source corners (the full frame).
  const out: [number, number][] = [
    [0, 0],
    [w - pull, inset],
    [w - pull, h - inset],
    [0, h],
  ];
  const src: [number, number][] = [
    [0, 0],
    [w, 0],
    [w, h],
    [0, h],
  ];
  const m = homography(out, src);
  const result = new Uint8ClampedArray(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const z = (m[6] as number) * x + (m[7] as number) * y + 1;
      const sx = ((m[0] as number) * x + (m[1] as number) * y + (m[2] as number)) / z;
      const sy = ((m[3] as number) * x + (m[4] as number) * y + (m[5] as number)) / z;
      const o = (y * w + x) * 4;
      if (sx < 0 || sy < 0 || sx > w - 1 || sy > h - 1) {
        result.set([128, 128, 128, 255], o);
        continue;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const x1 = Math.min(w - 1, x0 + 1);
      const y1 = Math.min(h - 1, y0 + 1);
      for (let c = 0; c < 4; c++) {
        const at = (xx: number, yy: number) => data[(yy * w + xx) * 4 + c] as number;
        result[o + c] =
          (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x1, y0)) +
          fy * ((1 - fx) * at(x0, y1) + fx * at(x1, y1));
      }
    }
  }
  return { data: result, width: w, height: h };
}

/** The 8 parameters (h33 = 1) of the homography taking each `from` point to its `to` point. */
export function homography(from: [number, number][], to: [number, number][]): number[] {
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i] as [number, number];
    const [u, v] = to[i] as [number, number];
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  // Gaussian elimination with partial pivoting on the 8 × 9 augmented system.
  for (let col = 0; col < 8; col++) {
    let pivot = col;
    for (let r = col + 1; r < 8; r++)
      if (Math.abs(a[r]?.[col] as number) > Math.abs(a[pivot]?.[col] as number)) pivot = r;
    [a[col], a[pivot]] = [a[pivot] as number[], a[col] as number[]];
    const row = a[col] as number[];
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const other = a[r] as number[];
      const f = (other[col] as number) / (row[col] as number);
      for (let c = col; c < 9; c++) other[c] = (other[c] as number) - f * (row[c] as number);
    }
  }
  return a.map((row) => (row[8] as number) / (row[a.indexOf(row)] as number));
}
