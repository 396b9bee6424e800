/**
 * @module
 * The who-vs-how benchmark's input and pipeline changes: 34 families, each at a strong and a mild
 * strength (mirror and the unaligned originals have one), plus resolution and compression ladders.
 * They cover what a deployment meets: optics and motion (blur, motion, dirt, haze, vignette),
 * exposure (over, under, low light, gamma, contrast), colour (casts, channel swap, grayscale, hue,
 * saturation, chroma subsampling), geometry (rotation, yaw, mirror, distance, crop), codecs (JPEG,
 * WebP, posterisation, pixelation, resolution) and pipeline faults that never touch the photo
 * (wrong crop scale, wrong normalisation constants). The first-round families keep their
 * parameters (`IMAGE_SHIFTS`), so their caches are shared.
 *
 * `PIPELINE_KINDS` are applied to the embedder's aligned crop (detection sees the clean photo).
 */
import { IMAGE_SHIFTS, type Shift, type ShiftParams } from "./shifts.ts";

const shift = (family: string, strength: Shift["strength"], label: string, params: ShiftParams): Shift => ({
  id:
    strength === "—"
      ? family
      : strength === "ladder"
        ? `${family}-${label.split(":")[0]}`
        : `${family}-${strength}`,
  family,
  strength,
  label,
  params,
});

export const PIPELINE_KINDS: ReadonlySet<ShiftParams["kind"]> = new Set(["crop-scale", "normalisation"]);

/** ImageNet's normalisation where the model wants (x − 0.5)/0.5, as an 8-bit gain and offset per channel. */
const IMAGENET_MIXUP = {
  a: [0.5 / 0.229, 0.5 / 0.224, 0.5 / 0.225] as [number, number, number],
  b: [
    127.5 - (255 * 0.485 * 0.5) / 0.229,
    127.5 - (255 * 0.456 * 0.5) / 0.224,
    127.5 - (255 * 0.406 * 0.5) / 0.225,
  ] as [number, number, number],
};

const NEW_FAMILIES: readonly Shift[] = [
  shift("motion", "strong", "horizontal motion blur, 15 px", { kind: "motion", length: 15 }),
  shift("motion", "mild", "horizontal motion blur, 7 px", { kind: "motion", length: 7 }),
  shift("overexposure", "strong", "over-exposed ×1.8 (clipping)", { kind: "linear", a: 1.8, b: 0 }),
  shift("overexposure", "mild", "over-exposed ×1.35", { kind: "linear", a: 1.35, b: 0 }),
  shift("lowlight", "strong", "under-exposed ×0.3 with sensor noise σ 8", {
    kind: "lowlight",
    gain: 0.3,
    noise: 8,
  }),
  shift("lowlight", "mild", "under-exposed ×0.5 with sensor noise σ 5", {
    kind: "lowlight",
    gain: 0.5,
    noise: 5,
  }),
  shift("channel-swap", "strong", "RGB read as BGR", {
    kind: "recomb",
    matrix: [
      [0, 0, 1],
      [0, 1, 0],
      [1, 0, 0],
    ],
  }),
  shift("channel-swap", "mild", "red and blue half mixed", {
    kind: "recomb",
    matrix: [
      [0.5, 0, 0.5],
      [0, 1, 0],
      [0.5, 0, 0.5],
    ],
  }),
  shift("grayscale", "strong", "grayscale camera", { kind: "grayscale" }),
  shift("grayscale", "mild", "saturation ×0.35", { kind: "modulate", saturation: 0.35 }),
  shift("saturation", "strong", "saturation ×2.2", { kind: "modulate", saturation: 2.2 }),
  shift("saturation", "mild", "saturation ×1.5", { kind: "modulate", saturation: 1.5 }),
  shift("hue", "strong", "hue rotated 45°", { kind: "modulate", hue: 45 }),
  shift("hue", "mild", "hue rotated 20°", { kind: "modulate", hue: 20 }),
  shift("cool-cast", "strong", "cool cast R×0.75, B×1.3", {
    kind: "linear",
    a: [0.75, 1, 1.3],
    b: [0, 0, 0],
  }),
  shift("cool-cast", "mild", "cool cast R×0.88, B×1.12", {
    kind: "linear",
    a: [0.88, 1, 1.12],
    b: [0, 0, 0],
  }),
  shift("green-cast", "strong", "green cast (fluorescent) G×1.2", {
    kind: "linear",
    a: [0.85, 1.2, 0.85],
    b: [0, 0, 0],
  }),
  shift("green-cast", "mild", "green cast G×1.1", { kind: "linear", a: [0.93, 1.1, 0.93], b: [0, 0, 0] }),
  shift("rotation", "strong", "camera rolled 30°", { kind: "rotate", degrees: 30 }),
  shift("rotation", "mild", "camera rolled 12°", { kind: "rotate", degrees: 12 }),
  shift("mirror", "—", "mirrored (selfie camera)", { kind: "mirror" }),
  shift("yaw", "strong", "perspective of a 35 % yaw", { kind: "yaw", depth: 0.35 }),
  shift("yaw", "mild", "perspective of an 18 % yaw", { kind: "yaw", depth: 0.18 }),
  shift("sharpen", "strong", "over-sharpened (unsharp σ 2)", { kind: "sharpen", sigma: 2 }),
  shift("sharpen", "mild", "sharpened (unsharp σ 1)", { kind: "sharpen", sigma: 1 }),
  shift("chroma", "strong", "chroma subsampled 8×8", { kind: "chroma", block: 8 }),
  shift("chroma", "mild", "chroma subsampled 4×4", { kind: "chroma", block: 4 }),
  shift("vignette", "strong", "vignetting, corners ×0.3", { kind: "vignette", strength: 0.7 }),
  shift("vignette", "mild", "vignetting, corners ×0.6", { kind: "vignette", strength: 0.4 }),
  shift("dirt", "strong", "25 drops or smudges on the lens", { kind: "dirt", drops: 25, opacity: 0.75 }),
  shift("dirt", "mild", "10 faint drops on the lens", { kind: "dirt", drops: 10, opacity: 0.5 }),
  shift("webp", "strong", "WebP quality 5", { kind: "webp", quality: 5 }),
  shift("webp", "mild", "WebP quality 25", { kind: "webp", quality: 25 }),
  shift("haze", "strong", "haze 60 %", { kind: "haze", amount: 0.6 }),
  shift("haze", "mild", "haze 35 %", { kind: "haze", amount: 0.35 }),
  shift("pixelate", "strong", "pixelated in 8 px blocks", { kind: "pixelate", block: 8 }),
  shift("pixelate", "mild", "pixelated in 4 px blocks", { kind: "pixelate", block: 4 }),
  shift("distance", "strong", "subject twice as far (photo ×0.45 in the frame)", {
    kind: "distance",
    scale: 0.45,
  }),
  shift("distance", "mild", "subject further (photo ×0.65 in the frame)", { kind: "distance", scale: 0.65 }),
  shift("posterize", "strong", "posterised to 4 levels", { kind: "posterize", levels: 4 }),
  shift("posterize", "mild", "posterised to 8 levels", { kind: "posterize", levels: 8 }),
  shift("crop-scale", "strong", "aligner crop ×0.75 (too loose)", { kind: "crop-scale", zoom: 0.75 }),
  shift("crop-scale", "mild", "aligner crop ×0.88", { kind: "crop-scale", zoom: 0.88 }),
  shift("normalisation", "strong", "ImageNet mean/std where the model wants ±0.5", {
    kind: "normalisation",
    ...IMAGENET_MIXUP,
  }),
  shift("normalisation", "mild", "input scale ×1.25 around mid-grey", {
    kind: "normalisation",
    a: [1.25, 1.25, 1.25],
    b: [-31.875, -31.875, -31.875],
  }),
];

/** Resolution and compression ladders: the steps between and beyond the strong and mild settings. */
const LADDERS: readonly Shift[] = [
  shift("lowres", "ladder", "24px: downscaled to 24 px and back", { kind: "lowres", size: 24 }),
  shift("lowres", "ladder", "48px: downscaled to 48 px and back", { kind: "lowres", size: 48 }),
  shift("lowres", "ladder", "96px: downscaled to 96 px and back", { kind: "lowres", size: 96 }),
  shift("jpeg", "ladder", "q5: JPEG quality 5", { kind: "jpeg", quality: 5 }),
  shift("jpeg", "ladder", "q12: JPEG quality 12", { kind: "jpeg", quality: 12 }),
  shift("jpeg", "ladder", "q40: JPEG quality 40", { kind: "jpeg", quality: 40 }),
];

/** Every change of the benchmark, strong settings first (a partial extraction covers every family). */
export const BENCHMARK_SHIFTS: readonly Shift[] = (() => {
  const all = [...IMAGE_SHIFTS, ...NEW_FAMILIES];
  return [
    ...all.filter((s) => s.strength !== "mild"),
    ...all.filter((s) => s.strength === "mild"),
    ...LADDERS,
  ];
})();

export const FAMILIES: readonly string[] = [...new Set(BENCHMARK_SHIFTS.map((s) => s.family))];
