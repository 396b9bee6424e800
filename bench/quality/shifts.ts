/**
 * @module
 * The image shifts of the benchmark, each a family at one or two strengths, applied to the photo
 * before the face pipeline sees it (so detection, landmarks and alignment react to it as they
 * would to a real camera). Geometry and tone use sharp (libvips); gamma and sensor noise are
 * per-pixel maps that sharp has no operation for, so they are written here over the raw RGBA.
 *
 * Every shift is pure data (`params`); the cache key hashes it, so editing a strength re-extracts
 * exactly that set.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { seededRng } from "@facedrift/stats";
import sharp from "sharp";
import { ALIGNED_DIR, ORIGINALS_DIR } from "./dataset.ts";
import {
  grayscale,
  haze,
  lensDirt,
  perspectiveYaw,
  posterize,
  subsampleChroma,
  vignette,
} from "./pixel-ops.ts";

export type ShiftParams =
  | { kind: "none" }
  | { kind: "originals" }
  | { kind: "linear"; a: number | number[]; b: number | number[] }
  | { kind: "gamma"; gamma: number }
  | { kind: "blur"; sigma: number }
  | { kind: "jpeg"; quality: number }
  | { kind: "lowres"; size: number }
  | { kind: "noise"; sigma: number }
  | { kind: "occlusion"; box: { left: number; top: number; width: number; height: number } }
  | { kind: "misalign"; dx: number }
  | { kind: "motion"; length: number }
  | { kind: "recomb"; matrix: [number, number, number][] }
  | { kind: "grayscale" }
  | { kind: "rotate"; degrees: number }
  | { kind: "mirror" }
  | { kind: "lowlight"; gain: number; noise: number }
  | { kind: "yaw"; depth: number }
  | { kind: "sharpen"; sigma: number }
  | { kind: "chroma"; block: number }
  | { kind: "vignette"; strength: number }
  | { kind: "dirt"; drops: number; opacity: number }
  | { kind: "webp"; quality: number }
  | { kind: "haze"; amount: number }
  | { kind: "pixelate"; block: number }
  | { kind: "distance"; scale: number }
  | { kind: "modulate"; hue?: number; saturation?: number }
  | { kind: "posterize"; levels: number }
  /** Pipeline faults, applied to the embedder's crop rather than the photo (see `pipeline-shifts.ts`). */
  | { kind: "crop-scale"; zoom: number }
  | { kind: "normalisation"; a: [number, number, number]; b: [number, number, number] };

export interface Shift {
  /** Cache and table id, e.g. `blur-strong`. */
  id: string;
  family: string;
  strength: "mild" | "strong" | "ladder" | "—";
  /** What a reader sees in the tables. */
  label: string;
  params: ShiftParams;
}

const shift = (family: string, strength: Shift["strength"], label: string, params: ShiftParams): Shift => ({
  id: strength === "—" ? family : `${family}-${strength}`,
  family,
  strength,
  label,
  params,
});

export const CLEAN = shift("clean", "—", "no shift", { kind: "none" });

/**
 * The image shifts in extraction priority: every family's strong setting first, so a partial run
 * still covers every family; the mild settings follow, those most likely to matter first. Boxes are in the 250×250 deep-funneled frame, where the face fills
 * roughly the central 110×140 px (eyes near y = 115, mouth near y = 160).
 */
export const IMAGE_SHIFTS: readonly Shift[] = [
  shift("originals", "—", "unaligned LFW originals, 150 px (real crop/camera change)", { kind: "originals" }),
  shift("brightness", "strong", "darker ×0.45", { kind: "linear", a: 0.45, b: 0 }),
  shift("contrast", "strong", "contrast ×0.4 around grey", { kind: "linear", a: 0.4, b: 77 }),
  shift("gamma", "strong", "gamma 2.2 (dark mid-tones)", { kind: "gamma", gamma: 2.2 }),
  shift("blur", "strong", "Gaussian blur σ = 3 px", { kind: "blur", sigma: 3 }),
  shift("jpeg", "strong", "JPEG quality 8", { kind: "jpeg", quality: 8 }),
  shift("lowres", "strong", "downscaled to 32 px and back", { kind: "lowres", size: 32 }),
  shift("noise", "strong", "Gaussian noise σ = 30/255", { kind: "noise", sigma: 30 }),
  shift("occlusion", "strong", "sunglasses-like bar over the eyes", {
    kind: "occlusion",
    box: { left: 75, top: 98, width: 100, height: 32 },
  }),
  shift("colour", "strong", "warm cast R×1.3, B×0.65", { kind: "linear", a: [1.3, 1, 0.65], b: [0, 0, 0] }),
  shift("misalign", "strong", "shifted 40 px sideways", { kind: "misalign", dx: 40 }),
  shift("blur", "mild", "Gaussian blur σ = 1.5 px", { kind: "blur", sigma: 1.5 }),
  shift("jpeg", "mild", "JPEG quality 20", { kind: "jpeg", quality: 20 }),
  shift("lowres", "mild", "downscaled to 64 px and back", { kind: "lowres", size: 64 }),
  shift("noise", "mild", "Gaussian noise σ = 12/255", { kind: "noise", sigma: 12 }),
  shift("occlusion", "mild", "mask-like patch over mouth and chin", {
    kind: "occlusion",
    box: { left: 80, top: 150, width: 90, height: 60 },
  }),
  shift("brightness", "mild", "darker ×0.7", { kind: "linear", a: 0.7, b: 0 }),
  shift("gamma", "mild", "gamma 1.5", { kind: "gamma", gamma: 1.5 }),
  shift("contrast", "mild", "contrast ×0.7 around grey", { kind: "linear", a: 0.7, b: 38 }),
  shift("colour", "mild", "warm cast R×1.12, B×0.85", { kind: "linear", a: [1.12, 1, 0.85], b: [0, 0, 0] }),
  shift("misalign", "mild", "shifted 15 px sideways", { kind: "misalign", dx: 15 }),
];

/** Short hash of the parameters: part of the cache key. */
export function paramsHash(params: ShiftParams): string {
  return createHash("sha256").update(JSON.stringify(params)).digest("hex").slice(0, 10);
}

export interface RawImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** Reads `image` (a `Person/Person_NNNN.jpg` path) with the shift applied, as RGBA. */
export async function shiftedImage(image: string, params: ShiftParams, seed: number): Promise<RawImage> {
  const file = join(params.kind === "originals" ? ORIGINALS_DIR : ALIGNED_DIR, image);
  let pipeline = sharp(file).rotate();
  const { width = 250, height = 250 } = await sharp(file).metadata();
  switch (params.kind) {
    case "linear":
      pipeline = pipeline.linear(params.a, params.b);
      break;
    case "blur":
      pipeline = pipeline.blur(params.sigma);
      break;
    case "jpeg":
      pipeline = sharp(await pipeline.jpeg({ quality: params.quality }).toBuffer());
      break;
    case "lowres":
      pipeline = sharp(await pipeline.resize(params.size, params.size).toBuffer()).resize(width, height);
      break;
    case "occlusion": {
      const { left, top, width: w, height: h } = params.box;
      const patch = await sharp({ create: { width: w, height: h, channels: 3, background: "#141414" } })
        .png()
        .toBuffer();
      pipeline = pipeline.composite([{ input: patch, left, top }]);
      break;
    }
    case "motion": {
      // A horizontal line kernel: the camera or the subject moved during the exposure.
      const n = params.length;
      const kernel = Array.from({ length: n * n }, (_, i) => (Math.floor(i / n) === (n - 1) / 2 ? 1 / n : 0));
      pipeline = pipeline.convolve({ width: n, height: n, kernel });
      break;
    }
    case "recomb":
      pipeline = pipeline.recomb(
        params.matrix as [[number, number, number], [number, number, number], [number, number, number]],
      );
      break;
    case "rotate": {
      const rotated = await pipeline.rotate(params.degrees, { background: "#808080" }).toBuffer();
      const meta = await sharp(rotated).metadata();
      const left = Math.floor(((meta.width ?? width) - width) / 2);
      const top = Math.floor(((meta.height ?? height) - height) / 2);
      pipeline = sharp(rotated).extract({ left, top, width, height });
      break;
    }
    case "mirror":
      pipeline = pipeline.flop();
      break;
    case "lowlight":
      pipeline = pipeline.linear(params.gain, 0);
      break;
    case "sharpen":
      pipeline = pipeline.sharpen({ sigma: params.sigma, m1: 2, m2: 8 });
      break;
    case "webp":
      pipeline = sharp(await pipeline.webp({ quality: params.quality }).toBuffer());
      break;
    case "pixelate": {
      const small = await pipeline
        .resize(Math.round(width / params.block), Math.round(height / params.block), { kernel: "nearest" })
        .toBuffer();
      pipeline = sharp(small).resize(width, height, { kernel: "nearest" });
      break;
    }
    case "distance": {
      // The subject further away: the photo shrunk inside a frame of the same size.
      const w = Math.round(width * params.scale);
      const h = Math.round(height * params.scale);
      const small = await pipeline.resize(w, h).toBuffer();
      const left = Math.floor((width - w) / 2);
      const top = Math.floor((height - h) / 2);
      pipeline = sharp(small).extend({
        left,
        top,
        right: width - w - left,
        bottom: height - h - top,
        background: "#808080",
      });
      break;
    }
    case "modulate":
      pipeline = pipeline.modulate({
        ...(params.hue === undefined ? {} : { hue: params.hue }),
        ...(params.saturation === undefined ? {} : { saturation: params.saturation }),
      });
      break;
    case "misalign": {
      // Pad on one side and crop the other: the face moves sideways, the frame size stays.
      const padded = await pipeline.extend({ left: params.dx, background: { r: 0, g: 0, b: 0 } }).toBuffer();
      pipeline = sharp(padded).extract({ left: 0, top: 0, width, height });
      break;
    }
    default:
      break;
  }
  const { data, info } = await pipeline.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const rgba = new Uint8ClampedArray(data.buffer, data.byteOffset, data.length);
  if (params.kind === "gamma") applyGamma(rgba, params.gamma);
  if (params.kind === "noise") addNoise(rgba, params.sigma, imageSeed(image, seed));
  let out: RawImage = { data: rgba, width: info.width, height: info.height };
  switch (params.kind) {
    case "lowlight":
      addNoise(rgba, params.noise, imageSeed(image, seed));
      break;
    case "grayscale":
      grayscale(out);
      break;
    case "yaw":
      out = perspectiveYaw(out, params.depth);
      break;
    case "chroma":
      subsampleChroma(out, params.block);
      break;
    case "vignette":
      vignette(out, params.strength);
      break;
    case "dirt":
      lensDirt(out, params.drops, params.opacity, imageSeed(image, seed));
      break;
    case "haze":
      haze(out, params.amount);
      break;
    case "posterize":
      posterize(out, params.levels);
      break;
    default:
      break;
  }
  return out;
}

/** out = 255·(in/255)^γ on RGB (alpha untouched). */
export function applyGamma(rgba: Uint8ClampedArray, gamma: number): void {
  const table = Uint8ClampedArray.from({ length: 256 }, (_, v) => Math.round(255 * (v / 255) ** gamma));
  for (let i = 0; i < rgba.length; i++) if (i % 4 !== 3) rgba[i] = table[rgba[i] as number] as number;
}

/** Adds seeded N(0, σ²) to RGB (Box–Muller on the seeded PRNG), clamped to 0…255. */
export function addNoise(rgba: Uint8ClampedArray, sigma: number, seed: number): void {
  const rng = seededRng(seed);
  for (let i = 0; i < rgba.length; i++) {
    if (i % 4 === 3) continue;
    const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    rgba[i] = (rgba[i] as number) + sigma * z; // Uint8ClampedArray rounds and clamps
  }
}

/** A per-image seed, so an image's noise does not depend on which other images were extracted. */
export function imageSeed(image: string, seed: number): number {
  return createHash("sha256").update(`${seed}:${image}`).digest().readUInt32LE(0);
}
