/**
 * `npx tsx bench/quality/feature-window.ts [model]`: the streaming MMD window as the product decides it,
 * on real faces — the window on all dimensions (`profile.mmdWindow`) against the window on PCA
 * scores and residual (`profile.featureWindow`, issue 17), each with the threshold its own
 * calibration set on the reference. Reads the cached embeddings of `npm run bench:quality`
 * (.cache/quality/, whatever is extracted; a missing shift is listed as such) and writes
 * bench/results/quality-feature-window.json (quality-feature-window-<model>.json for another
 * embedder than the default) plus a table on stdout.
 *
 * The reference is the benchmark's (reference people's clean photos, the product's fit with the
 * people as groups). Windows hold 500 distinct photos, as a stream's do, drawn without
 * replacement from the pool: clean held-out people for false positives, a shifted pool (the
 * same held-out photos shifted) for detections. With ~650 photos per pool the windows overlap
 * heavily, so the rates say whether that set of faces is caught, not a rate over fresh faces.
 */
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { FeatureMmdWindow, fitReferenceProfile, MmdWindow, seededRng } from "@facedrift/stats";
import { cacheFile, readCache } from "./cache.ts";
import { DEFAULT_MODEL, HELD_OUT_SHARE, SEED } from "./config.ts";
import { listImages, personOf, REPO_ROOT, splitByIdentity } from "./dataset.ts";
import { type Pool, poolFrom } from "./pools.ts";
import { CLEAN, IMAGE_SHIFTS } from "./shifts.ts";

const SIZE = 500;
const REPS = Number(process.env.REPS ?? 200);
/** The default 128-D embedder, or another one the cache holds (the 1024-D one checks 128 of 1,024 components). */
const MODEL = process.argv[2] ?? DEFAULT_MODEL;

const split = splitByIdentity(listImages(), SEED, HELD_OUT_SHARE);
const clean = readCache(cacheFile(MODEL, CLEAN, SEED));
const reference = poolFrom(clean, split.reference);
const heldOut = poolFrom(clean, split.heldOut);
if (reference.n < 500) throw new Error(`clean embeddings not extracted (${reference.n} reference rows)`);
const d = reference.d;
const people = new Map<string, number>();
const groups = Int32Array.from(reference.images, (image) => {
  const person = personOf(image);
  if (!people.has(person)) people.set(person, people.size);
  return people.get(person) as number;
});
const started = Date.now();
const profile = fitReferenceProfile(reference.x, reference.n, d, { seed: SEED, groups });
const fitSeconds = (Date.now() - started) / 1000;
const exactCalibration = profile.mmdWindow;
const featureCalibration = profile.featureWindow;
if (!exactCalibration || !featureCalibration)
  throw new Error(
    `windows skipped: ${profile.calibration.mmdWindowSkipped} ${profile.calibration.featureWindowSkipped}`,
  );
const size = Math.min(SIZE, exactCalibration.size);
const thresholds = { exact: exactCalibration.threshold, features: featureCalibration.threshold };
const exact = new MmdWindow(profile.mmd.sample, profile.mmd.sampleSize, d, profile.mmd.sigma);
const features = new FeatureMmdWindow(featureCalibration);

/** Share of `REPS` windows of `size` distinct rows of `pool` that each window fires on. */
function rates(pool: Pool, seed: number) {
  const rng = seededRng(seed);
  const order = Array.from({ length: pool.n }, (_, i) => i);
  let exactFired = 0;
  let featureFired = 0;
  const x = new Float32Array(size * d);
  for (let r = 0; r < REPS; r++) {
    for (let i = 0; i < size; i++) {
      const j = i + Math.floor(rng() * (pool.n - i));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
      const row = order[i] as number;
      x.set(pool.x.subarray(row * d, (row + 1) * d), i * d);
    }
    if (exact.statistic(x, size) > thresholds.exact) exactFired++;
    if (features.statisticOfRows(x, size) > thresholds.features) featureFired++;
  }
  return { exact: exactFired / REPS, features: featureFired / REPS };
}

const rows: { shift: string; poolSize: number; exact: number; features: number }[] = [];
const add = (shift: string, pool: Pool, seed: number) => {
  if (pool.n < size + 50) {
    rows.push({ shift, poolSize: pool.n, exact: Number.NaN, features: Number.NaN });
    return;
  }
  rows.push({ shift, poolSize: pool.n, ...rates(pool, seed) });
  process.stderr.write(`${JSON.stringify(rows.at(-1))}\n`);
};
add("none (held-out people)", heldOut, SEED + 1);
IMAGE_SHIFTS.forEach((shift, i) => {
  add(shift.id, poolFrom(readCache(cacheFile(MODEL, shift, SEED)), split.heldOut), SEED + 100 + i);
});

const result = {
  model: MODEL,
  dimension: d,
  referenceRows: reference.n,
  windowSize: size,
  windowsPerPool: REPS,
  fitSeconds,
  thresholds: { allDimensions: exactCalibration.threshold, features: featureCalibration.threshold },
  features: featureCalibration.features,
  components: featureCalibration.components,
  loadAverage: loadavg()[0],
  finishedAt: new Date().toISOString(),
  rows,
};
writeFileSync(
  join(
    REPO_ROOT,
    "bench",
    "results",
    MODEL === DEFAULT_MODEL ? "quality-feature-window.json" : `quality-feature-window-${MODEL}.json`,
  ),
  `${JSON.stringify(result, null, 2)}\n`,
);
const pct = (v: number) => (Number.isNaN(v) ? "not extracted" : `${(100 * v).toFixed(1)} %`);
console.log("| shift | pool | window on all dimensions | window on PCA scores + residual |");
console.log("| --- | ---: | ---: | ---: |");
for (const r of rows) console.log(`| ${r.shift} | ${r.poolSize} | ${pct(r.exact)} | ${pct(r.features)} |`);
