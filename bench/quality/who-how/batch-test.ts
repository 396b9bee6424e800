/**
 * `npm run bench:batch-test [-- --splits N]`: is the batch check's MMD test calibrated on faces,
 * and what does it catch? (issue 12, item 4). Uses the who-vs-how cache (run
 * `npm run bench:who-how -- --extract-only` first; any change not cached yet is left out).
 *
 * 1. Calibration: N independent splits of the LFW people. Each split takes reference people
 *    until 2 × M photos, keeps half of them (the MMD sample's side, as `fitReferenceProfile`
 *    does), thins that side to M rows, and compares it with a window of W photos of the other
 *    people: a clean window of new people. The person-permutation p-value (the product's
 *    default) and the row permutation p-value (the first shipped test) of every split go to a
 *    QQ plot. One window per split keeps the p-values independent.
 * 2. What it catches: the product's own `fitReferenceProfile` + `batchCheck` (recommended check
 *    profile: MMD on every run, decided by people) on the benchmark's reference, against windows
 *    of held-out people under each cached change, of a few people seen many times, and clean.
 *
 * Writes bench/results/quality.batch-test.json, docs/detection-quality/batch-qq-<model>.svg and
 * the section between the `batch-test` markers of docs/detection-quality.md (bench:quality's
 * generator keeps that section when it rewrites the page).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  batchCheck,
  batchQualityTest,
  fitReferenceProfile,
  mmd,
  personMmd,
  type QualityRecord,
  samePersonThreshold,
  seededRng,
} from "@facedrift/stats";
import * as Plot from "@observablehq/plot";
import { JSDOM } from "jsdom";
import { type CachedSet, cacheFile, readCache } from "../cache.ts";
import { SEED } from "../config.ts";
import { personOf, REPO_ROOT } from "../dataset.ts";
import { BENCHMARK_SHIFTS } from "../shift-families.ts";
import { CLEAN } from "../shifts.ts";
import { auc, verificationPairs } from "./experiments.ts";
import { replaceMarkedSection } from "./marked-section.ts";
import { WHO_HOW_MODELS } from "./models.ts";
import { benchmarkSample } from "./sample.ts";

const { values: args } = parseArgs({
  options: { splits: { type: "string", default: "100" }, replicates: { type: "string", default: "10" } },
});
const SPLITS = Number(args.splits);
const REPLICATES = Number(args.replicates);
const PERMUTATIONS = 500;
/** (MMD sample rows, window rows): the product's default, and what a 500-photo reference gets. */
const CONFIGS = [
  { m: 500, w: 500 },
  { m: 250, w: 250 },
] as const;
const REFERENCE_ROWS = 800;

const DOC = join(REPO_ROOT, "docs", "detection-quality.md");
const CHARTS = join(REPO_ROOT, "docs", "detection-quality");
const RESULTS = join(REPO_ROOT, "bench", "results", "quality.batch-test.json");
const log = (line: string) => process.stderr.write(`${line}\n`);

type Rng = () => number;
function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}
function rowsOf(set: CachedSet, images: readonly string[], d: number): Float64Array {
  const x = new Float64Array(images.length * d);
  images.forEach((im, i) => {
    x.set(set.embeddings.get(im) as Float32Array, i * d);
  });
  return x;
}
function groupsOf(images: readonly string[]): Int32Array {
  const ids = new Map<string, number>();
  return Int32Array.from(
    images.map((im) => ids.get(personOf(im)) ?? ids.set(personOf(im), ids.size).size - 1),
  );
}

interface NullResult {
  m: number;
  w: number;
  splits: number;
  people: number[];
  row: number[];
}

/** Part 1: p-values of clean windows of new people, one per independent split of the people. */
function calibration(
  clean: CachedSet,
  images: readonly string[],
  d: number,
  m: number,
  w: number,
): NullResult {
  const byPerson = new Map<string, string[]>();
  for (const im of images) byPerson.set(personOf(im), [...(byPerson.get(personOf(im)) ?? []), im]);
  const everyone = [...byPerson.keys()].sort();
  const rng = seededRng(SEED ^ (m * 7919));
  const out: NullResult = { m, w, splits: SPLITS, people: [], row: [] };
  for (let s = 0; s < SPLITS; s++) {
    const order = shuffled(everyone, rng);
    const reference: string[] = [];
    const side: string[] = [];
    let at = 0;
    for (; reference.length < 2 * m && at < order.length; at++) {
      const photos = byPerson.get(order[at] as string) ?? [];
      reference.push(...photos);
      if (at % 2 === 0) side.push(...photos);
    }
    const rest = order.slice(at).flatMap((p) => byPerson.get(p) ?? []);
    const sample = shuffled(side, rng).slice(0, m);
    const window = shuffled(rest, rng).slice(0, w);
    if (window.length < w) throw new Error(`only ${window.length} photos left for a window of ${w}`);
    const threshold = samePersonThreshold(
      rowsOf(clean, reference, d),
      reference.length,
      d,
      groupsOf(reference),
      s,
    );
    const x = rowsOf(clean, sample, d);
    const y = rowsOf(clean, window, d);
    const rows = mmd(x, sample.length, y, w, d, { permutations: PERMUTATIONS, seed: s });
    const people = personMmd(x, sample.length, y, w, d, {
      samePersonThreshold: threshold,
      sigma: rows.sigma,
      permutations: PERMUTATIONS,
      seed: s,
    });
    out.people.push(people.pValue);
    out.row.push(rows.pValue as number);
    if ((s + 1) % 20 === 0) log(`calibration M=${m} W=${w}: ${s + 1}/${SPLITS} splits`);
  }
  return out;
}

interface CatchRow {
  id: string;
  label: string;
  deltaAuc: number | null;
  windowRows: number;
  /** Share of replicate windows the person-permutation MMD confirmed (α = 0.004). */
  people: number;
  /** Share where the batch quality test found an input change (α = 0.001 per run). */
  quality: number;
  /** Share with a batch finding in the product: either of the two. */
  product: number;
  /** The same windows under the row permutation test at α = 0.004 (the first shipped test). */
  row: number;
}

/** Part 2: the product's batch check on the benchmark's reference against changed windows. */
function catches(model: string, clean: CachedSet, d: number): { reference: number; rows: CatchRow[] } {
  const sample = benchmarkSample();
  const rng = seededRng(SEED ^ 0xba7c);
  const people = shuffled([...new Set(sample.split.reference.map(personOf))].sort(), rng);
  const reference: string[] = [];
  for (const p of people) {
    if (reference.length >= REFERENCE_ROWS) break;
    reference.push(...sample.split.reference.filter((im) => personOf(im) === p && clean.embeddings.has(im)));
  }
  const groups = groupsOf(reference);
  const profile = fitReferenceProfile(rowsOf(clean, reference, d), reference.length, d, {
    groups,
    seed: SEED,
    quality: {
      records: reference.map((im) => (clean.quality.get(im) ?? null) as QualityRecord),
      identities: groups,
    },
  });
  const pairs = verificationPairs(sample.shifted, SEED);
  const cleanAuc = auc(pairs, clean, clean);
  type Window = { x: Float64Array; quality: QualityRecord[] };
  const windowOf = (set: CachedSet, images: readonly string[]): Window => ({
    x: rowsOf(set, images, d),
    quality: images.map((im) => (set.quality.get(im) ?? null) as QualityRecord),
  });
  const rate = (windows: Window[], n: number) => {
    const hits = { people: 0, quality: 0, product: 0, row: 0 };
    windows.forEach((w, r) => {
      const check = (decision: "people" | "permutation") =>
        batchCheck(profile, w.x, n, {
          mmd: "always",
          mmdDecision: decision,
          permutations: PERMUTATIONS,
          seed: r,
        });
      const people = check("people").mmd?.confirmed ?? false;
      // As server/src/batch/who-how.ts runs it: up to 1,000 rows, one test per run.
      const quality = profile.quality
        ? batchQualityTest(profile.quality, w.x, n, d, w.quality).fired.length > 0
        : false;
      hits.people += Number(people);
      hits.quality += Number(quality);
      hits.product += Number(people || quality);
      hits.row += Number(check("permutation").mmd?.confirmed ?? false);
    });
    const k = windows.length;
    return {
      people: hits.people / k,
      quality: hits.quality / k,
      product: hits.product / k,
      row: hits.row / k,
    };
  };
  const windowsFrom = (set: CachedSet, images: readonly string[], n: number) =>
    Array.from({ length: REPLICATES }, () => windowOf(set, shuffled(images, rng).slice(0, n)));
  const rows: CatchRow[] = [];

  const heldOut = sample.split.heldOut.filter((im) => clean.embeddings.has(im));
  const n = Math.min(profile.mmd.sampleSize, heldOut.length - 50);
  rows.push({
    id: "clean",
    label: "clean: new people",
    deltaAuc: 0,
    windowRows: n,
    ...rate(windowsFrom(clean, heldOut, n), n),
  });
  const byPerson = new Map<string, string[]>();
  for (const im of heldOut) byPerson.set(personOf(im), [...(byPerson.get(personOf(im)) ?? []), im]);
  for (const k of [10, 20, 50]) {
    // k held-out people with several photos, drawn with repeats into a full window: a door camera.
    const windows = Array.from({ length: REPLICATES }, () => {
      const chosen = shuffled([...byPerson.keys()], rng).slice(0, k);
      const photos = chosen.flatMap((p) => byPerson.get(p) ?? []);
      return windowOf(
        clean,
        Array.from({ length: n }, () => photos[Math.floor(rng() * photos.length)] as string),
      );
    });
    rows.push({
      id: `few-${k}`,
      label: `${k} people seen again and again (exact repeats)`,
      deltaAuc: null,
      windowRows: n,
      ...rate(windows, n),
    });
  }
  for (const shift of BENCHMARK_SHIFTS) {
    const set = readCache(cacheFile(model, shift, SEED));
    const images = sample.shifted.filter((im) => set.embeddings.has(im));
    if (set.embeddings.size + set.noFace.size < sample.shifted.length) continue; // not (fully) extracted yet
    const size = Math.min(n, images.length - 20);
    const deltaAuc = cleanAuc - auc(pairs, clean, set);
    if (size < 50) {
      rows.push({
        id: shift.id,
        label: shift.label,
        deltaAuc,
        windowRows: 0,
        people: 0,
        quality: 0,
        product: 0,
        row: 0,
      });
      continue;
    }
    rows.push({
      id: shift.id,
      label: shift.label,
      deltaAuc,
      windowRows: size,
      ...rate(windowsFrom(set, images, size), size),
    });
    log(`catch ${shift.id}: done`);
  }
  return { reference: reference.length, rows };
}

const document = new JSDOM("").window.document;
function qqChart(results: readonly NullResult[]): string {
  const points = results.flatMap((r) =>
    (["people", "row"] as const).flatMap((test) =>
      [...r[test]]
        .sort((a, b) => a - b)
        .map((p, i, all) => ({
          expected: (i + 0.5) / all.length,
          observed: p,
          test: `${test === "people" ? "people (product)" : "rows (first shipped)"}, windows of ${r.w}`,
        })),
    ),
  );
  const el = Plot.plot({
    document,
    width: 460,
    height: 420,
    x: { label: "expected p (uniform)", domain: [0, 1] },
    y: { label: "observed p, clean windows of new people", domain: [0, 1] },
    color: { legend: true },
    marks: [
      Plot.line(
        [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
        { x: "x", y: "y", stroke: "#999" },
      ),
      Plot.dot(points, { x: "expected", y: "observed", stroke: "test", r: 1.5 }),
    ],
  }) as unknown as Element;
  el.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  el.setAttribute("style", "background: white");
  return `${el.outerHTML}\n`;
}

const share = (values: readonly number[], below: number) =>
  values.filter((p) => p < below).length / values.length;
const pct = (x: number) => `${Math.round(x * 100)} %`;

function section(model: string, nulls: readonly NullResult[], caught: ReturnType<typeof catches>): string {
  const lines = [
    "## Batch check: a permutation test over people",
    "",
    `Generated by \`npm run bench:batch-test\` (bench/quality/who-how/batch-test.ts), ${model}.`,
    "",
    "The batch check's MMD test (`stats/src/person-mmd.ts`) permutes *people* between the reference sample and the window: each side is cut into people by leader clustering at the model's same-person threshold (exact repeats dropped first), each person is one observation (the kernel between two people is the mean kernel between their photos; a person's pairs with itself are left out), and the p-value is that of random reassignments of whole people. Permuting single photos, as the first shipped test did, assumes photos are exchangeable, which a reference with several photos per person is not. The recommended check profile runs this test on every batch check (α = 0.004); the design's `seed` profile keeps the PSI/KS gate and the calibrated threshold.",
    "",
    `**Calibration** — ${nulls[0]?.splits ?? 0} independent splits of the LFW people per row, one clean window of new people each, ${PERMUTATIONS} permutations:`,
    "",
    "| MMD sample × window | test | p < 0.004 | p < 0.05 | p < 0.1 | p < 0.5 |",
    "| --- | --- | --- | --- | --- | --- |",
    ...nulls.flatMap((r) =>
      (["people", "row"] as const).map(
        (test) =>
          `| ${r.m} × ${r.w} | ${test === "people" ? "people (product)" : "rows (first shipped)"} | ${pct(share(r[test], 0.004))} | ${pct(share(r[test], 0.05))} | ${pct(share(r[test], 0.1))} | ${pct(share(r[test], 0.5))} |`,
      ),
    ),
    "",
    `![QQ plot of clean p-values](detection-quality/batch-qq-${model}.svg)`,
    "",
    "Points on the diagonal are a calibrated test; below it, a test that fires on clean windows. The row test puts most clean windows of new people below 0.05; the person test stays near the diagonal (a little above it, on the quiet side, where clustering merges look-alikes).",
    "",
    `**What it catches** — the product's \`fitReferenceProfile\` on ${caught.reference} reference photos (people named, with their quality signals) and a batch check as the recommended profile runs it: MMD on every run (person permutations, α = 0.004) and the quality test (α = 0.001 per run); either makes a finding, which the quality test classifies. ${REPLICATES} windows per row (held-out people; a change's window is drawn from its ≤ 421 changed photos). ΔAUC counts failures to extract.`,
    "",
    "| window | ΔAUC | rows | MMD, people | quality test | batch finding (product) | MMD, rows (first shipped) |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...caught.rows
      .sort((a, b) => (b.deltaAuc ?? -1) - (a.deltaAuc ?? -1))
      .map(
        (r) =>
          `| ${r.label} | ${r.deltaAuc === null ? "—" : r.deltaAuc.toFixed(4)} | ${r.windowRows || "no faces"} | ${pct(r.people)} | ${pct(r.quality)} | ${pct(r.product)} | ${pct(r.row)} |`,
      ),
    "",
    "A finding is classified by the quality test (docs/who-vs-how.md): an input change when it fired (severity from the harm model), else a population change (informational). The person test keeps a few people seen many times from confirming at all; the quality test catches input changes the embeddings hide from MMD.",
  ];
  return lines.join("\n");
}

const sample = benchmarkSample();
const results: unknown[] = [];
for (const model of WHO_HOW_MODELS) {
  const clean = readCache(cacheFile(model, CLEAN, SEED));
  const images = sample.images.filter((im) => clean.embeddings.has(im));
  if (images.length < sample.images.length * 0.9) {
    log(`${model}: clean photos not extracted (${images.length}); skipped`);
    continue;
  }
  const d = (clean.embeddings.get(images[0] as string) as Float32Array).length;
  const started = Date.now();
  const nulls = CONFIGS.map(({ m, w }) => calibration(clean, images, d, m, w));
  const caught = catches(model, clean, d);
  log(`${model}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  mkdirSync(CHARTS, { recursive: true });
  writeFileSync(join(CHARTS, `batch-qq-${model}.svg`), qqChart(nulls));
  results.push({ model, nulls, caught });
  // The page shows the default embedder; the JSON keeps every model measured.
  if (results.length === 1) {
    writeFileSync(
      DOC,
      replaceMarkedSection(readFileSync(DOC, "utf8"), "batch-test", section(model, nulls, caught)),
    );
    execFileSync("npx", ["biome", "format", "--write", DOC], { stdio: "ignore" });
  }
}
mkdirSync(join(REPO_ROOT, "bench", "results"), { recursive: true });
writeFileSync(
  RESULTS,
  `${JSON.stringify({ benchmark: "batch-test", when: new Date().toISOString(), results }, null, 1)}\n`,
);
log(`wrote ${RESULTS} and ${DOC}`);
