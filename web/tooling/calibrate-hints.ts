/**
 * Measures the pipeline's blur and brightness signals on LFW faces as they are, blurred and
 * darkened, to choose the limits of `src/routes/capture/hints.ts`. Images are scaled ×2 first so
 * faces are about the size the fake camera shows (≈180 px). Node, WASM; about a minute for 100.
 *
 *   npx tsx web/tooling/calibrate-hints.ts [count]
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { type FaceQuality, loadPipeline } from "@facedrift/models";
import { createNodeEngines, nodeFileSource } from "@facedrift/models/node";
import sharp from "sharp";

const IMAGES = join(import.meta.dirname, "..", "..", "..", "shared", "data", "faces", "images");
const count = Number(process.argv[2] ?? 100);

const variants: Record<string, (image: sharp.Sharp) => sharp.Sharp> = {
  sharp: (image) => image,
  "blur σ=2": (image) => image.blur(2),
  "blur σ=4": (image) => image.blur(4),
  "dark ×0.3": (image) => image.linear(0.3, 0),
  "bright ×1.8": (image) => image.linear(1.8, 0),
};

const pipeline = await loadPipeline(
  { engines: await createNodeEngines(), source: nodeFileSource() },
  { embedders: [] },
);
const people = readdirSync(IMAGES).sort().slice(0, count);
const seen: Record<string, FaceQuality[]> = {};
for (const person of people) {
  const file = join(IMAGES, person, readdirSync(join(IMAGES, person)).sort()[0] as string);
  for (const [name, apply] of Object.entries(variants)) {
    const { data, info } = await apply(sharp(file).resize(500, 500))
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const { faces } = await pipeline.process({ data, width: info.width, height: info.height });
    const largest = faces.sort((a, b) => b.quality.faceSize - a.quality.faceSize)[0];
    if (!largest) continue;
    seen[name] ??= [];
    seen[name].push(largest.quality);
  }
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
console.log("variant      faces  blur p5/p50/p95        brightness p5/p50/p95   size p50");
for (const [name, qualities] of Object.entries(seen)) {
  const row = (key: keyof FaceQuality) =>
    [0.05, 0.5, 0.95]
      .map((q) =>
        quantile(
          qualities.map((x) => x[key]),
          q,
        )
          .toFixed(0)
          .padStart(5),
      )
      .join(" ");
  console.log(
    `${name.padEnd(12)} ${String(qualities.length).padStart(5)}  ${row("blur")}      ${row("brightness")}     ${quantile(
      qualities.map((x) => x.faceSize),
      0.5,
    ).toFixed(0)}`,
  );
}
