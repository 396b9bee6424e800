/**
 * @module
 * The who-vs-how experiments on cached embeddings, with the product's own code end to end: the
 * reference profile is `fitReferenceProfile` (as `POST /v1/streams/{s}/reference` fits it, people
 * named), streams go through `runDetectors` (the streaming worker's detectors, in batches of
 * 250, window rows read back as the worker reads them), and the harm model is `fitHarmModel`.
 *
 * Per embedder:
 * - verification cost of every change: AUC on the sample's genuine pairs (every same-person pair,
 *   a clean photo against a changed one, both ways) and 20,000 impostor pairs, a photo that lost
 *   its face scoring −1 (a failed comparison), minus the same pairs all clean;
 * - the quality window's effect sizes of the whole changed sample, and the harm model fitted on
 *   them with leave-one-family-out error;
 * - streams of 1,000 clean embeddings of held-out people then 1,000 changed ones (references of
 *   500 and 800 photos of the reference people): whether and when the quality window fires
 *   (input, with severity), what the embedding statistics do and how they are classified;
 * - population-only streams (10, 20, 50 held-out people repeated; look-alike subgroups);
 * - clean streams for the false-alarm rate, and clean windows' p-values for the QQ plot;
 * - the same streams against references fitted from the embeddings alone (a client that sends no
 *   quality signals), where the person test classifies each embedding finding.
 */
import {
  fitHarmModel,
  fitReferenceProfile,
  type HarmEffects,
  type HarmFeatureName,
  type HarmModel,
  type HarmObservation,
  harmEffects,
  inputSeverity,
  labelGroups,
  pcaFromJson,
  predictHarm,
  projectPca,
  type QualityProfile,
  type QualityRecord,
  qualityWindowTest,
  type ReferenceProfile,
  residualEffect,
  seededRng,
  verificationMetrics,
} from "@facedrift/stats";
import { type Detection, runDetectors } from "../../../server/src/streaming/detectors.ts";
import { streamingReferenceOf } from "../../../server/src/streaming/testing/uninterrupted.ts";
import { type CachedSet, cacheFile, readCache } from "../cache.ts";
import { SEED } from "../config.ts";
import { personOf } from "../dataset.ts";
import { BENCHMARK_SHIFTS } from "../shift-families.ts";
import { CLEAN, type Shift } from "../shifts.ts";
import {
  type AttemptPool,
  type FacesLostOutcome,
  facesLostFalseAlarms,
  facesLostOutcome,
} from "./faces-lost.ts";
import type { benchmarkSample } from "./sample.ts";

type Sample = ReturnType<typeof benchmarkSample>;

export const REFERENCE_SIZES = [500, 800] as const;
export const STREAM_CLEAN = 1000;
export const STREAM_CHANGED = 1000;
export const STREAM_BATCH = 250;
/**
 * Streams of extraction reports per change: the detector needs no reference and costs microseconds
 * a report, so it gets more replicates than the embedding streams.
 */
export const FACES_LOST_REPLICATES = 100;
/** Changes losing more faces than this are not used to fit the harm model (see runWhoHow). */
export const MAX_FIT_FTE = 0.2;
const HINGES = [0, 0.5, 1, 1.5, 2, 3] as const;
/** The residual level moves in tenths of its standard deviation where quality signals move in units. */
const EMBEDDING_HINGES = [0, 0.1, 0.2, 0.3, 0.5] as const;

export interface StreamOutcome {
  /**
   * Replicates with an input finding within the changed part, and its delay: the quality window's,
   * or (reference without quality signals) an embedding finding the person test called input.
   */
  caught: number;
  replicates: number;
  delays: number[];
  /** Most severe input finding per caught replicate (where the incident ends up). */
  severities: string[];
  /** Input findings in the clean part (false alarms). */
  cleanFindings: number;
  /** Most severe alert of the changed part per replicate (what a user would be told), by severity. */
  worst: Record<string, number>;
  /** Embedding-statistic detections in the changed part, by category. */
  embeddingFindings: Record<string, number>;
}

export interface ShiftRow {
  shift: Shift;
  deltaAuc: number;
  failureToExtract: number;
  effects: HarmEffects;
  predicted: number;
  /** Prediction from a model fitted without this row's family. */
  predictedHeldOut: number;
  /** The same from the embedding-only model (null without a residual level). */
  predictedEmbeddingHeldOut: number | null;
  streams: Record<number, StreamOutcome>;
  /** The same streams against references fitted without quality signals. */
  bare: Record<number, StreamOutcome>;
  /** The same order of photos as a client reporting its extraction attempts sends them (no reference needed). */
  facesLost: FacesLostOutcome;
}

export interface PopulationRow {
  id: string;
  label: string;
  streams: Record<number, StreamOutcome>;
  bare: Record<number, StreamOutcome>;
  distinctRows: number;
}

export interface ModelReport {
  model: string;
  cleanAuc: number;
  pairs: { genuine: number; impostor: number };
  references: Record<
    number,
    { rows: number; people: number; quality: QualityProfile | null; skipped: string[] }
  >;
  shifts: ShiftRow[];
  missing: string[];
  population: PopulationRow[];
  harm: HarmModel;
  spearman: number;
  /** The embedding-only harm model and its held-out rank correlation (null without a residual level). */
  embeddingHarm: HarmModel | null;
  embeddingSpearman: number | null;
  falseAlarms: Record<number, { embeddings: number; input: number; per10k: number; anyFinding: number }>;
  /** The same clean streams against references without quality signals. */
  bareFalseAlarms: Record<number, { embeddings: number; input: number; per10k: number; anyFinding: number }>;
  /** Per-signal p-values of clean windows of held-out people (QQ plot), reference 800. */
  cleanPValues: number[];
  /** Share of the clean held-out photos without a face. */
  cleanFailureToExtract: number;
  /** Faces-lost findings on long clean streams of extraction reports. */
  facesLostFalseAlarms: { attempts: number; findings: number; per10k: number };
}

interface Pool {
  images: string[];
  x: Float32Array;
  quality: QualityRecord[];
  d: number;
}

function pool(set: CachedSet, images: readonly string[]): Pool {
  const kept = images.filter((im) => set.embeddings.has(im));
  const d = set.embeddings.get(kept[0] as string)?.length ?? 0;
  const x = new Float32Array(kept.length * d);
  kept.forEach((im, i) => {
    x.set(set.embeddings.get(im) as Float32Array, i * d);
  });
  return { images: kept, x, quality: kept.map((im) => (set.quality.get(im) ?? null) as QualityRecord), d };
}

function normalCdf(z: number): number {
  // Abramowitz–Stegun 7.1.26 on erf; enough for p-values in a plot.
  const t = 1 / (1 + 0.3275911 * Math.abs(z / Math.SQRT2));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-(z * z) / 2);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

export function spearman(a: readonly number[], b: readonly number[]): number {
  const rank = (v: readonly number[]) => {
    const order = v.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
    const r = new Array<number>(v.length);
    for (let i = 0; i < order.length; ) {
      let j = i;
      while (j + 1 < order.length && order[j + 1]?.[0] === order[i]?.[0]) j++;
      for (let k = i; k <= j; k++) r[order[k]?.[1] as number] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const ra = rank(a);
  const rb = rank(b);
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const ma = mean(ra);
  const mb = mean(rb);
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += ((ra[i] as number) - ma) * ((rb[i] as number) - mb);
    da += ((ra[i] as number) - ma) ** 2;
    db += ((rb[i] as number) - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}

/** Genuine pairs (both orders) and seeded impostor pairs among `images`. */
export function verificationPairs(images: readonly string[], seed: number) {
  const pairs: [string, string, number][] = [];
  for (let i = 0; i < images.length; i++)
    for (let j = 0; j < images.length; j++)
      if (i !== j && personOf(images[i] as string) === personOf(images[j] as string))
        pairs.push([images[i] as string, images[j] as string, 1]);
  const rng = seededRng(seed);
  let impostors = 0;
  while (impostors < 20_000) {
    const a = images[Math.floor(rng() * images.length)] as string;
    const b = images[Math.floor(rng() * images.length)] as string;
    if (personOf(a) === personOf(b)) continue;
    pairs.push([a, b, 0]);
    impostors++;
  }
  return pairs;
}

/** Verification AUC of `pairs`, `gallery` photos against `probe` photos; a photo without a face scores lowest. */
export function auc(
  pairs: readonly [string, string, number][],
  gallery: CachedSet,
  probe: CachedSet,
): number {
  const scores = pairs.map(([a, b]) => {
    const u = gallery.embeddings.get(a);
    const v = probe.embeddings.get(b);
    if (!u || !v) return -1;
    let dot = 0;
    for (let t = 0; t < u.length; t++) dot += (u[t] as number) * (v[t] as number);
    return dot;
  });
  return verificationMetrics(
    scores,
    pairs.map((p) => p[2]),
  ).auc;
}

/** Reference people (seeded order) until `rows` photos; their clean pool and identity groups. */
function referenceOf(sample: Sample, clean: CachedSet, rows: number, seed: number) {
  const people = [...new Set(sample.split.reference.map(personOf))].sort();
  const rng = seededRng(seed);
  for (let i = people.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [people[i], people[j]] = [people[j] as string, people[i] as string];
  }
  const chosen = new Set<string>();
  let count = 0;
  const byPerson = new Map<string, string[]>();
  for (const im of sample.split.reference) {
    if (!clean.embeddings.has(im)) continue;
    byPerson.set(personOf(im), [...(byPerson.get(personOf(im)) ?? []), im]);
  }
  for (const p of people) {
    if (count >= rows) break;
    const photos = byPerson.get(p) ?? [];
    if (photos.length === 0) continue;
    chosen.add(p);
    count += photos.length;
  }
  const images = sample.split.reference.filter((im) => chosen.has(personOf(im)));
  const ref = pool(clean, images);
  return { ref, groups: labelGroups(ref.images.map(personOf)) as Int32Array, people: chosen.size };
}

function streamOf(
  parts: { pool: Pool; rows: number }[],
  rng: () => number,
): { x: Float32Array; quality: QualityRecord[]; n: number } {
  const n = parts.reduce((s, p) => s + p.rows, 0);
  const d = parts[0]?.pool.d ?? 0;
  const x = new Float32Array(n * d);
  const quality: QualityRecord[] = [];
  let row = 0;
  for (const part of parts) {
    // Without replacement while the pool lasts, then again: a stream of new faces.
    const order: number[] = [];
    while (order.length < part.rows) {
      const perm = Array.from({ length: part.pool.images.length }, (_, i) => i);
      for (let i = perm.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [perm[i], perm[j]] = [perm[j] as number, perm[i] as number];
      }
      order.push(...perm);
    }
    for (const i of order.slice(0, part.rows)) {
      x.set(part.pool.x.subarray(i * d, (i + 1) * d), row * d);
      quality.push(part.pool.quality[i] ?? null);
      row++;
    }
  }
  return { x, quality, n };
}

const SEVERITY_RANK: Record<string, number> = { none: 0, info: 1, warning: 2, critical: 3 };

/** The harm models a stream runs with: on quality signals, and from the embeddings alone (no quality signals). */
interface Harm {
  quality: HarmModel;
  embedding: HarmModel | null;
}

/** The streaming worker's detectors over a stream, in batches, reading window rows back from memory. */
async function runStream(
  profile: ReferenceProfile,
  harm: Harm,
  stream: { x: Float32Array; quality: QualityRecord[]; n: number },
  d: number,
): Promise<Detection[]> {
  const reference = streamingReferenceOf(profile);
  if (reference.quality) reference.quality.harm = harm.quality;
  reference.embeddingHarm = harm.embedding;
  const pca = pcaFromJson(profile.pca);
  const seqs = Array.from({ length: stream.n }, (_, i) => i + 1);
  let state: Record<string, unknown> | null = null;
  let last = 0;
  const all: Detection[] = [];
  for (let from = 0; from < stream.n; from += STREAM_BATCH) {
    const to = Math.min(stream.n, from + STREAM_BATCH);
    const x = stream.x.subarray(from * d, to * d);
    const result = await runDetectors(
      reference,
      state,
      last,
      { seqs: seqs.slice(from, to), x, componentScores: projectPca(pca, x, to - from) },
      {
        windowStart: async (afterSeq, count) => ({
          seqs: seqs.slice(afterSeq, afterSeq + count),
          x: stream.x.subarray(afterSeq * d, (afterSeq + count) * d),
        }),
        quality: async (wanted) => wanted.map((seq) => stream.quality[seq - 1] ?? null),
        // seq s is row s − 1: the `count` rows before `beforeSeq`.
        before: async (beforeSeq, count) => {
          const from = Math.max(0, beforeSeq - 1 - count);
          return {
            seqs: seqs.slice(from, beforeSeq - 1),
            x: stream.x.subarray(from * d, (beforeSeq - 1) * d),
          };
        },
      },
    );
    state = result.state as unknown as Record<string, unknown>;
    last = to;
    all.push(...result.detections);
  }
  return all;
}

function severityOf(d: Detection): string {
  if (d.signal === "quality") return d.severity;
  if (d.category === "population") return "info";
  return d.impact ? inputSeverity(d.impact) : "warning";
}

/**
 * What counts as an input finding: the quality window's where the reference has one; otherwise an
 * embedding finding the person test called input.
 */
function inputFinding(profile: ReferenceProfile): (d: Detection) => boolean {
  return profile.quality ? (d) => d.signal === "quality" : (d) => d.category === "input";
}

async function outcomes(
  profile: ReferenceProfile,
  harm: Harm,
  clean: Pool,
  changed: Pool,
  replicates: number,
  seed: number,
): Promise<StreamOutcome> {
  const rng = seededRng(seed);
  const out: StreamOutcome = {
    caught: 0,
    replicates,
    delays: [],
    severities: [],
    cleanFindings: 0,
    worst: {},
    embeddingFindings: {},
  };
  // A change that loses (almost) every face leaves the stream silent: nothing to test.
  if (changed.images.length < 10) {
    out.worst["no faces: stream silent"] = replicates;
    return out;
  }
  for (let r = 0; r < replicates; r++) {
    const stream = streamOf(
      [
        { pool: clean, rows: STREAM_CLEAN },
        { pool: changed, rows: STREAM_CHANGED },
      ],
      rng,
    );
    const detections = await runStream(profile, harm, stream, clean.d);
    const isInput = inputFinding(profile);
    out.cleanFindings += detections.filter((d) => isInput(d) && d.seq <= STREAM_CLEAN).length;
    const after = detections.filter((d) => d.seq > STREAM_CLEAN);
    const inputs = after.filter(isInput);
    const first = inputs[0];
    if (first) {
      out.caught++;
      out.delays.push(first.seq - STREAM_CLEAN);
      out.severities.push(inputs.some((d) => severityOf(d) === "critical") ? "critical" : "warning");
    }
    let worst = "none";
    for (const d of after) {
      const s = severityOf(d);
      if ((SEVERITY_RANK[s] as number) > (SEVERITY_RANK[worst] as number)) worst = s;
      if (d.signal !== "quality") {
        const key = d.category ?? "unclassified";
        out.embeddingFindings[key] = (out.embeddingFindings[key] ?? 0) + 1;
      }
    }
    out.worst[worst] = (out.worst[worst] ?? 0) + 1;
  }
  return out;
}

/** The same clean-then-changed streams against each reference size (`profiles`: by size). */
async function acrossReferences(
  profiles: ReadonlyMap<number, ReferenceProfile>,
  harm: Harm,
  clean: Pool,
  changed: Pool,
  replicates: number,
  seed: number,
): Promise<Record<number, StreamOutcome>> {
  const streams: Record<number, StreamOutcome> = {};
  for (const size of REFERENCE_SIZES) {
    streams[size] = await outcomes(
      profiles.get(size) as ReferenceProfile,
      harm,
      clean,
      changed,
      replicates,
      seed + size,
    );
  }
  return streams;
}

/** Input findings on long clean streams of held-out people, per reference size. */
async function cleanStreamAlarms(
  profiles: ReadonlyMap<number, ReferenceProfile>,
  harm: Harm,
  heldOutClean: Pool,
  replicates: number,
): Promise<ModelReport["falseAlarms"]> {
  const falseAlarms: ModelReport["falseAlarms"] = {};
  const faStreams = Math.max(4, replicates * 2);
  for (const size of REFERENCE_SIZES) {
    const profile = profiles.get(size) as ReferenceProfile;
    const isInput = inputFinding(profile);
    let input = 0;
    let any = 0;
    const frng = seededRng(SEED + size + 99);
    for (let s = 0; s < faStreams; s++) {
      const stream = streamOf([{ pool: heldOutClean, rows: 5000 }], frng);
      const detections = await runStream(profile, harm, stream, heldOutClean.d);
      input += detections.filter(isInput).length;
      any += detections.length;
    }
    const embeddings = faStreams * 5000;
    falseAlarms[size] = { embeddings, input, per10k: (input * 1e4) / embeddings, anyFinding: any };
  }
  return falseAlarms;
}

export async function runWhoHow(
  sample: Sample,
  model: string,
  /** `withoutQualityOnly`: only the streams against references without quality signals (the rest left empty). */
  options: { replicates: number; log: (line: string) => void; withoutQualityOnly?: boolean },
): Promise<ModelReport> {
  const { log } = options;
  const clean = readCache(cacheFile(model, CLEAN, SEED));
  const sets = new Map<string, CachedSet>();
  const missing: string[] = [];
  for (const shift of BENCHMARK_SHIFTS) {
    const set = readCache(cacheFile(model, shift, SEED));
    if (set.embeddings.size + set.noFace.size < sample.shifted.length) missing.push(shift.id);
    else sets.set(shift.id, set);
  }
  log(`${model}: ${sets.size} changes extracted, ${missing.length} missing`);

  // References of 500 and 800 photos, fitted as the product fits them.
  const references: ModelReport["references"] = {};
  const profiles = new Map<number, ReferenceProfile>();
  for (const size of REFERENCE_SIZES) {
    const { ref, groups, people } = referenceOf(sample, clean, size, SEED + size);
    const profile = fitReferenceProfile(ref.x, ref.images.length, ref.d, {
      groups,
      quality: { records: ref.quality, identities: groups },
      seed: SEED,
    });
    profiles.set(size, profile);
    references[size] = {
      rows: ref.images.length,
      people,
      quality: profile.quality ?? null,
      skipped: [
        ...(profile.calibration.mmdWindowSkipped
          ? [`MMD window: ${profile.calibration.mmdWindowSkipped}`]
          : []),
        ...(profile.calibration.qualitySkipped
          ? [`quality window: ${profile.calibration.qualitySkipped}`]
          : []),
      ],
    };
    log(`${model}: reference ${size}: ${ref.images.length} photos of ${people} people fitted`);
  }
  // The same references fitted from the embeddings alone: no quality window, the person test.
  const bareProfiles = new Map<number, ReferenceProfile>();
  for (const size of REFERENCE_SIZES) {
    const { ref, groups } = referenceOf(sample, clean, size, SEED + size);
    bareProfiles.set(size, fitReferenceProfile(ref.x, ref.images.length, ref.d, { groups, seed: SEED }));
  }
  const main = profiles.get(800) as ReferenceProfile;
  const mainQuality = main.quality as QualityProfile;

  // Verification cost and effect sizes of each change.
  const pairs = verificationPairs(sample.shifted, SEED);
  const cleanAuc = auc(pairs, clean, clean);
  const cleanSample = pool(clean, sample.shifted);
  // The effects the streaming worker hands the harm model: quality signals and the residual level.
  const mainPca = pcaFromJson(main.pca);
  const effectsOf = (p: Pool) =>
    harmEffects(
      qualityWindowTest(mainQuality, p.x, p.images.length, p.d, p.quality),
      main.residualLevel ? residualEffect(main.residualLevel, mainPca, p.x, p.images.length) : null,
    );
  const observations: (HarmObservation & { shift: Shift; fte: number })[] = [];
  for (const shift of BENCHMARK_SHIFTS) {
    const set = sets.get(shift.id);
    if (!set) continue;
    observations.push({
      shift,
      family: shift.family,
      effects: effectsOf(pool(set, sample.shifted)),
      deltaAuc: cleanAuc - auc(pairs, clean, set),
      fte: set.noFace.size / sample.shifted.length,
    });
  }
  const anchor: HarmObservation = { family: "clean", effects: effectsOf(cleanSample), deltaAuc: 0 };
  const signals: HarmFeatureName[] = [
    ...mainQuality.signals.map((s) => s.name),
    ...(main.residualLevel ? (["embeddingResidual"] as const) : []),
  ];
  // Changes that lose more than a fifth of the faces are left out of the fit: their cost is
  // mostly faces that never become embeddings, which no statistic of the embeddings can see.
  const fitted = [anchor, ...observations.filter((o) => o.fte <= MAX_FIT_FTE)];
  // The hinges (harmless movement) are chosen by how well held-out predictions rank the changes'
  // cost (severity is a ranking: critical above warning), ties by held-out error. RMSE alone is
  // ruled by the few changes that cost 0.1–0.4 AUC and picks hinges that flatten the rest.
  const families = [...new Set(observations.map((o) => o.family))];
  const choose = (
    features: readonly HarmFeatureName[],
    hinges: readonly number[],
    embeddingHinges: readonly number[],
  ) => {
    let best: { model: HarmModel; heldOut: Map<string, HarmModel>; rank: number } | null = null;
    for (const hinge of hinges)
      for (const embeddingHinge of embeddingHinges) {
        const options = { hinge, embeddingHinge };
        const heldOut = new Map(
          families.map((f) => [
            f,
            fitHarmModel(
              model,
              features,
              fitted.filter((o) => o.family !== f),
              options,
            ),
          ]),
        );
        const scored = observations.filter((o) => o.fte <= MAX_FIT_FTE);
        const rank = spearman(
          scored.map((o) => predictHarm(heldOut.get(o.family) as HarmModel, o.effects).deltaAuc),
          scored.map((o) => o.deltaAuc),
        );
        const candidate = { model: fitHarmModel(model, features, fitted, options), heldOut, rank };
        if (
          !best ||
          candidate.rank > best.rank + 1e-9 ||
          (Math.abs(candidate.rank - best.rank) <= 1e-9 && candidate.model.error.rmse < best.model.error.rmse)
        )
          best = candidate;
      }
    return best as NonNullable<typeof best>;
  };
  const chosen = choose(signals, HINGES, main.residualLevel ? EMBEDDING_HINGES : [0]);
  const harm = chosen.model;
  const heldOut = chosen.heldOut;
  log(
    `${model}: harm model fitted (hinges ${harm.hinge} / ${harm.embeddingHinge ?? "—"}, held-out Spearman ${chosen.rank.toFixed(3)}, RMSE ${harm.error.rmse.toFixed(4)})`,
  );
  // From the embeddings alone: what prices an input finding on a reference without quality signals.
  const embeddingChosen = main.residualLevel ? choose(["embeddingResidual"], [0], EMBEDDING_HINGES) : null;
  const embeddingHarm = embeddingChosen?.model ?? null;
  const embeddingHeldOut = embeddingChosen?.heldOut ?? new Map<string, HarmModel>();
  const models: Harm = { quality: harm, embedding: embeddingHarm };

  const heldOutClean = pool(clean, sample.split.heldOut);
  const cleanAttempts: AttemptPool = { images: sample.split.heldOut, noFace: clean.noFace };
  const shifts: ShiftRow[] = [];
  const streamsStarted = Date.now();
  for (const [k, o] of observations.entries()) {
    const changed = pool(sets.get(o.shift.id) as CachedSet, sample.shifted);
    const streams = options.withoutQualityOnly
      ? {}
      : await acrossReferences(profiles, models, heldOutClean, changed, options.replicates, SEED + 31 * k);
    const bare = await acrossReferences(
      bareProfiles,
      models,
      heldOutClean,
      changed,
      options.replicates,
      SEED + 31 * k,
    );
    shifts.push({
      shift: o.shift,
      deltaAuc: o.deltaAuc,
      failureToExtract: o.fte,
      effects: o.effects,
      predicted: predictHarm(harm, o.effects).deltaAuc,
      predictedHeldOut: predictHarm(heldOut.get(o.family) as HarmModel, o.effects).deltaAuc,
      predictedEmbeddingHeldOut: embeddingHarm
        ? predictHarm(embeddingHeldOut.get(o.family) as HarmModel, o.effects).deltaAuc
        : null,
      streams,
      bare,
      facesLost: facesLostOutcome(
        cleanAttempts,
        { images: sample.shifted, noFace: (sets.get(o.shift.id) as CachedSet).noFace },
        STREAM_CLEAN,
        STREAM_CHANGED,
        FACES_LOST_REPLICATES,
        SEED + 31 * k + 7,
      ),
    });
    if (k % 5 === 4)
      log(
        `${model}: streams of ${k + 1}/${observations.length} changes done (${((Date.now() - streamsStarted) / 1000).toFixed(0)} s)`,
      );
  }

  // Population-only changes: few people repeated, and look-alike subgroups of new people.
  const population: PopulationRow[] = [];
  const heldOutPeople = [...new Set(sample.shifted.map(personOf))].sort();
  const rng = seededRng(SEED ^ 0x9090);
  const pick = (count: number) => {
    const order = [...heldOutPeople];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j] as string, order[i] as string];
    }
    return new Set(order.slice(0, count));
  };
  const cases: { id: string; label: string; images: string[] }[] = [10, 20, 50].map((k) => {
    const people = pick(k);
    return {
      id: `repeat-${k}`,
      label: `${k} held-out people seen over and over (no image change)`,
      images: sample.split.heldOut.filter((im) => people.has(personOf(im))),
    };
  });
  for (const [c, seedPerson] of [0, 1].entries()) {
    // A look-alike subgroup: the 120 held-out people whose mean face is nearest one person's.
    const means = new Map<string, Float32Array>();
    for (const [i, im] of heldOutClean.images.entries()) {
      const m = means.get(personOf(im)) ?? new Float32Array(heldOutClean.d);
      for (let t = 0; t < heldOutClean.d; t++)
        m[t] = (m[t] as number) + (heldOutClean.x[i * heldOutClean.d + t] as number);
      means.set(personOf(im), m);
    }
    const names = [...means.keys()].sort();
    const centre = means.get(
      names[Math.floor(seededRng(SEED + seedPerson)() * names.length)] as string,
    ) as Float32Array;
    const ranked = names
      .map((n) => {
        const m = means.get(n) as Float32Array;
        let dot = 0;
        let norm = 0;
        for (let t = 0; t < m.length; t++) {
          dot += (m[t] as number) * (centre[t] as number);
          norm += (m[t] as number) ** 2;
        }
        return [n, dot / Math.sqrt(norm)] as const;
      })
      .sort((a, b) => b[1] - a[1])
      .slice(0, 120)
      .map(([n]) => n);
    const chosen = new Set(ranked);
    cases.push({
      id: `subgroup-${c + 1}`,
      label: `new population: the 120 held-out people who look most alike (group ${c + 1})`,
      images: sample.split.heldOut.filter((im) => chosen.has(personOf(im))),
    });
  }
  // How typical people look: the 120 held-out people whose faces sit nearest the mean face (a
  // population of "average-looking" people has less detail of its own, with nothing lost), and
  // the 120 farthest from it.
  const typicality = new Map<string, { sum: number; count: number }>();
  const centre = new Float64Array(heldOutClean.d);
  for (let i = 0; i < heldOutClean.images.length; i++)
    for (let t = 0; t < heldOutClean.d; t++)
      centre[t] = (centre[t] as number) + (heldOutClean.x[i * heldOutClean.d + t] as number);
  heldOutClean.images.forEach((im, i) => {
    let dot = 0;
    for (let t = 0; t < heldOutClean.d; t++)
      dot += (heldOutClean.x[i * heldOutClean.d + t] as number) * (centre[t] as number);
    const entry = typicality.get(personOf(im)) ?? { sum: 0, count: 0 };
    entry.sum += dot;
    entry.count++;
    typicality.set(personOf(im), entry);
  });
  const byTypicality = [...typicality.entries()]
    .map(([person, e]) => [person, e.sum / e.count] as const)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([person]) => person);
  for (const [id, label, people] of [
    [
      "typical",
      "new population: the 120 held-out people who look most typical (nearest the mean face)",
      byTypicality.slice(0, 120),
    ],
    [
      "atypical",
      "new population: the 120 held-out people who look least typical (farthest from the mean face)",
      byTypicality.slice(-120),
    ],
  ] as const) {
    const chosen = new Set(people);
    cases.push({ id, label, images: sample.split.heldOut.filter((im) => chosen.has(personOf(im))) });
  }
  for (const [k, c] of cases.entries()) {
    const changed = pool(clean, c.images);
    const streams = options.withoutQualityOnly
      ? {}
      : await acrossReferences(profiles, models, heldOutClean, changed, options.replicates, SEED + 7 * k + 1);
    const bare = await acrossReferences(
      bareProfiles,
      models,
      heldOutClean,
      changed,
      options.replicates,
      SEED + 7 * k + 1,
    );
    population.push({ id: c.id, label: c.label, streams, bare, distinctRows: changed.images.length });
  }

  // False alarms on long clean streams of held-out people, and clean windows' p-values.
  const falseAlarms = options.withoutQualityOnly
    ? {}
    : await cleanStreamAlarms(profiles, models, heldOutClean, options.replicates);
  const bareFalseAlarms = await cleanStreamAlarms(bareProfiles, models, heldOutClean, options.replicates);
  const cleanPValues: number[] = [];
  const prng = seededRng(SEED + 5);
  for (let w = 0; w < 200; w++) {
    const stream = streamOf([{ pool: heldOutClean, rows: mainQuality.windowSize }], prng);
    const result = qualityWindowTest(mainQuality, stream.x, stream.n, heldOutClean.d, stream.quality);
    for (const s of result.signals) cleanPValues.push(2 * (1 - normalCdf(Math.abs(s.z))));
  }

  const measured = shifts.map((s) => s.deltaAuc);
  return {
    model,
    cleanAuc,
    pairs: {
      genuine: pairs.filter((p) => p[2] === 1).length,
      impostor: pairs.filter((p) => p[2] === 0).length,
    },
    references,
    shifts,
    missing,
    population,
    harm,
    spearman: spearman(
      shifts.map((s) => s.predictedHeldOut),
      measured,
    ),
    embeddingHarm,
    embeddingSpearman: embeddingHarm
      ? spearman(
          shifts.map((s) => s.predictedEmbeddingHeldOut as number),
          measured,
        )
      : null,
    falseAlarms,
    bareFalseAlarms,
    cleanPValues,
    cleanFailureToExtract:
      sample.split.heldOut.filter((im) => clean.noFace.has(im)).length / sample.split.heldOut.length,
    facesLostFalseAlarms: facesLostFalseAlarms(cleanAttempts, 40, 25_000, SEED + 77),
  };
}
