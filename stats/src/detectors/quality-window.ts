/**
 * @module
 * The "how" detector: is the pipeline seeing faces differently, whoever they are?
 *
 * Embedding statistics (PC1, residual, MMD) move when *who* walks past changes — a door camera
 * that sees the same 15 staff all day, or a new population — as much as when the camera or the
 * pre-processing changes. The quality signals of each face (face size, sharpness, exposure,
 * noise, alignment, the embedder's output norm, …; `models/src/pipeline/quality.ts`) are mostly
 * properties of the capture, not of the person. Mostly: brightness depends on skin tone, norm and
 * size a little on the person. So the test's null hypothesis includes identity composition:
 *
 * - each signal's reference variance is split into a between-person part `b` and a within-person
 *   part `w` (one-way random-effects ANOVA over the reference's people — named by metadata, or
 *   found by clustering when they are not);
 * - a window's embeddings are clustered into people at the model's own same-person threshold
 *   (cosine similarity above which different people are confused at most 1 in 1,000 times in the
 *   reference), exact repeats collapsed first, so the variance of the window mean under "same
 *   capture, these people" is `b·Σ(n_c/n)² + w/n` — large when few people fill the window;
 * - each signal's z is its window mean's distance from the reference mean in that standard
 *   error (plus the reference mean's own), scaled by a factor measured on reference windows of
 *   people the fit did not see; the window fires when any |z| passes the Bonferroni bound for the
 *   false-alarm budget.
 *
 * Effect sizes (window mean − reference mean, in reference standard deviations) are what the harm
 * model (`harm-model.ts`) turns into a predicted verification cost.
 *
 * Written here because no library offers a clustered-variance window test on typed arrays; the
 * arithmetic is a page.
 */
import { normalQuantile } from "../numeric/normal-quantile.ts";
import { quantileSorted } from "../numeric/quantile.ts";
import { seededRng } from "../numeric/random.ts";

export const QUALITY_PROFILE_FORMAT = "facedrift.quality-profile/1";

/** How each recorded signal is put on a scale where window means behave (logs for scale-like signals). */
export const QUALITY_SIGNALS = {
  faceSize: (v: number) => Math.log(Math.max(v, 1)),
  detectorScore: (v: number) => {
    const p = Math.min(Math.max(v, 1e-4), 1 - 1e-4);
    return Math.log(p / (1 - p));
  },
  blur: (v: number) => Math.log1p(Math.max(v, 0)),
  brightness: (v: number) => v,
  contrast: (v: number) => v,
  clipped: (v: number) => Math.asin(Math.sqrt(Math.min(Math.max(v, 0), 1))),
  saturation: (v: number) => v,
  noise: (v: number) => Math.log1p(Math.max(v, 0)),
  alignmentError: (v: number) => Math.log(1e-3 + Math.max(v, 0)),
  embeddingNorm: (v: number) => Math.log(Math.max(v, 1e-6)),
} as const satisfies Record<string, (v: number) => number>;

export type QualitySignalName = keyof typeof QUALITY_SIGNALS;
export const QUALITY_SIGNAL_NAMES = Object.keys(QUALITY_SIGNALS) as QualitySignalName[];

/** A signal's physically possible values: above `min` (or at least, when `minInclusive`), at most `max`. */
export interface QualitySignalRange {
  readonly min: number;
  readonly minInclusive: boolean;
  readonly max: number;
  /** What the signal is, for the error that names it. */
  readonly what: string;
}

/**
 * The values each known signal can take, from how the product's pipeline computes it
 * (`@facedrift/models` `FaceQuality`, `models/src/pipeline/quality.ts`): every value is finite;
 * sizes, norms and scales are non-negative (a face box and an embedder output have a positive
 * size) and bounded where the definition bounds them (with room to spare); shares and scores lie
 * in [0, 1], grey levels in [0, 255]. The ingest API refuses a number outside
 * its signal's range (it would move the streaming quality window by many σ); other keys, and
 * values that are not numbers, are stored and ignored by the detectors as before.
 */
export const QUALITY_SIGNAL_RANGES = {
  // No image a face pipeline decodes has a side near 100,000 pixels (JPEG's limit is 65,535).
  faceSize: {
    min: 0,
    minInclusive: false,
    max: 100_000,
    what: "the face box's smaller side in source pixels",
  },
  detectorScore: { min: 0, minInclusive: true, max: 1, what: "the detector's confidence" },
  // The 4-neighbour Laplacian of grey levels in [0, 255] lies in [-1020, 1020]: variance at most 1020².
  blur: { min: 0, minInclusive: true, max: 1_040_400, what: "a variance of the Laplacian of grey levels" },
  brightness: { min: 0, minInclusive: true, max: 255, what: "a mean grey level" },
  contrast: { min: 0, minInclusive: true, max: 255, what: "a standard deviation of grey levels" },
  clipped: { min: 0, minInclusive: true, max: 1, what: "a share of pixels" },
  saturation: { min: 0, minInclusive: true, max: 255, what: "a mean chroma in grey levels" },
  // Immerkær's estimate is at most √(π/2)·16·255/6 ≈ 852 grey levels.
  noise: { min: 0, minInclusive: true, max: 1_000, what: "a noise standard deviation in grey levels" },
  // The best similarity fit leaves at most the template's own spread (≈ 0.6 eye distances).
  alignmentError: { min: 0, minInclusive: true, max: 10, what: "an RMS distance in eye distances" },
  // Recognition networks' raw outputs have norms of about 1 to a few hundred.
  embeddingNorm: {
    min: 0,
    minInclusive: false,
    max: 1_000_000,
    what: "the norm of the embedder's raw output",
  },
} as const satisfies Record<QualitySignalName, QualitySignalRange>;

/**
 * Why `value`, recorded as signal `name`, cannot be one (a phrase such as "must be > 0 (…)"), or
 * null when it is a possible value or not a number at all (not-numbers are ignored by design).
 */
export function qualityValueProblem(name: string, value: unknown): string | null {
  if (typeof value !== "number" || !Object.hasOwn(QUALITY_SIGNAL_RANGES, name)) return null;
  const range: QualitySignalRange = QUALITY_SIGNAL_RANGES[name as QualitySignalName];
  const low = range.minInclusive ? value >= range.min : value > range.min;
  if (Number.isFinite(value) && low && value <= range.max) return null;
  return `must be in ${range.minInclusive ? "[" : "("}${range.min}, ${range.max}] (${range.what})`;
}

/** One face's recorded signals (`metadata.quality`), or null when it carries none. */
export type QualityRecord = Readonly<Partial<Record<string, unknown>>> | null;

export interface QualitySignalFit {
  name: QualitySignalName;
  /** Reference mean and total standard deviation on the transformed scale. */
  mean: number;
  sd: number;
  /** Between-person and within-person variance components (sum: sd²). */
  between: number;
  within: number;
  /** Measured inflation of |z| on windows of unseen reference people (≥ 1). */
  scale: number;
}

export interface QualityProfile {
  format: typeof QUALITY_PROFILE_FORMAT;
  signals: QualitySignalFit[];
  /** Cosine similarity above which two faces count as one person (impostor FMR 1e-3 in the reference). */
  samePersonThreshold: number;
  /** Embeddings per window and between window ends. */
  windowSize: number;
  step: number;
  /** |z| above this fires (Bonferroni over signals for the per-window α). */
  zCritical: number;
  alphaPerWindow: number;
  /** Σ(m_c/N)² over the reference's people: the reference mean's own person-level uncertainty. */
  referenceConcentration: number;
  referenceRows: number;
  calibration: {
    people: { by: "identity" | "clustering"; count: number };
    windows: number;
    /** Rows per calibration window, and the effective people such a window of unseen people held on average. */
    windowRows: number;
    peoplePerWindow: number;
    /** Windows of unseen people whose max |z| passed zCritical after scaling. */
    firing: number;
    targetPer10k: number;
    note: string;
  };
}

export interface QualityProfileOptions {
  /** Embeddings per window (default: 500, or half the reference when it is smaller, at least 100). */
  windowSize?: number;
  /** False alarms per 10,000 embeddings the detector may spend (default 0.05, half the budget). */
  targetPer10k?: number;
  seed?: number;
}

/** Fewest reference faces with quality signals for the detector to run. */
export const MIN_QUALITY_ROWS = 100;

/** Transformed value of `name` in `record`, or NaN when it is absent or not a finite number. */
export function signalValue(record: QualityRecord, name: QualitySignalName): number {
  const raw = record?.[name];
  if (typeof raw !== "number" || !Number.isFinite(raw)) return Number.NaN;
  return QUALITY_SIGNALS[name](raw);
}

/**
 * Leader clustering at cosine similarity `threshold` (rows are unit vectors, n × d): each row
 * joins the first cluster whose leader it matches, else leads a new one. One pass, O(n·k·d);
 * for the same-person question at an FMR-1e-3 threshold, the order hardly matters.
 */
export function leaderClusters(x: ArrayLike<number>, n: number, d: number, threshold: number): Int32Array {
  const labels = new Int32Array(n);
  const leaders: number[] = [];
  for (let i = 0; i < n; i++) {
    let found = -1;
    for (let c = 0; c < leaders.length && found < 0; c++) {
      const l = leaders[c] as number;
      let dot = 0;
      for (let t = 0; t < d; t++) dot += (x[i * d + t] as number) * (x[l * d + t] as number);
      if (dot >= threshold) found = c;
    }
    if (found < 0) {
      found = leaders.length;
      leaders.push(i);
    }
    labels[i] = found;
  }
  return labels;
}

/** Rows that are not an exact repeat of an earlier row (cosine ≥ 1 − 1e-6): resends, duplicated frames. */
export function distinctRows(x: ArrayLike<number>, n: number, d: number): number[] {
  const kept: number[] = [];
  const seen = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    // Bucket by a coarse key so the exact comparison runs only within a bucket.
    const key = `${Math.round((x[i * d] as number) * 1e4)}:${Math.round((x[i * d + 1] as number) * 1e4)}`;
    const bucket = seen.get(key) ?? [];
    const repeat = bucket.some((j) => {
      let dot = 0;
      for (let t = 0; t < d; t++) dot += (x[i * d + t] as number) * (x[j * d + t] as number);
      return dot >= 1 - 1e-6;
    });
    if (!repeat) {
      kept.push(i);
      bucket.push(i);
      seen.set(key, bucket);
    }
  }
  return kept;
}

/**
 * The same-person threshold: the 99.9th percentile of cosine similarity between faces of
 * different people (named by `groups`), or between random pairs when people are not named (most
 * random pairs of a reference are different people, and the percentile is robust to the few
 * that are not).
 */
export function samePersonThreshold(
  x: ArrayLike<number>,
  n: number,
  d: number,
  groups: ArrayLike<number> | null,
  seed: number,
): number {
  const rng = seededRng(seed);
  const pairs = Math.min(200_000, (n * (n - 1)) / 2);
  const sims: number[] = [];
  for (let k = 0; k < pairs * 3 && sims.length < pairs; k++) {
    const i = Math.floor(rng() * n);
    const j = Math.floor(rng() * n);
    if (i === j || (groups && groups[i] === groups[j])) continue;
    let dot = 0;
    for (let t = 0; t < d; t++) dot += (x[i * d + t] as number) * (x[j * d + t] as number);
    sims.push(dot);
  }
  sims.sort((a, b) => a - b);
  return sims.length ? quantileSorted(sims, 0.999) : 0.99;
}

/** Σ(n_c/n)² of a labelling: 1/k for k equal groups, 1 for one. */
export function concentration(labels: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++)
    counts.set(labels[i] as number, (counts.get(labels[i] as number) ?? 0) + 1);
  let sum = 0;
  for (const c of counts.values()) sum += (c / labels.length) ** 2;
  return sum;
}

/** Between- and within-group variance of `values` (NaN skipped), one-way random-effects ANOVA. */
export function varianceComponents(
  values: ArrayLike<number>,
  groups: ArrayLike<number>,
): { mean: number; total: number; between: number; within: number } {
  const byGroup = new Map<number, number[]>();
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    sum += v;
    count++;
    const g = byGroup.get(groups[i] as number);
    if (g) g.push(v);
    else byGroup.set(groups[i] as number, [v]);
  }
  const mean = count ? sum / count : Number.NaN;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) total += (v - mean) ** 2;
  }
  total = count > 1 ? total / (count - 1) : 0;
  let within = 0;
  let df = 0;
  for (const g of byGroup.values()) {
    if (g.length < 2) continue;
    const m = g.reduce((s, v) => s + v, 0) / g.length;
    for (const v of g) within += (v - m) ** 2;
    df += g.length - 1;
  }
  // No group with two faces: nothing separates person from capture, so count it all as person
  // (the conservative choice: a window of few people then gets the widest null).
  if (df === 0) return { mean, total, between: total, within: 0 };
  within /= df;
  return { mean, total, between: Math.max(0, total - within), within: Math.min(within, total) };
}

export interface QualityWindowResult {
  rows: number;
  /** Rows after exact repeats were collapsed. */
  distinctRows: number;
  /** Effective number of people, 1/Σ(n_c/n)², from clustering at the same-person threshold. */
  people: number;
  signals: {
    name: QualitySignalName;
    /** Window mean on the transformed scale, its z and its effect in reference standard deviations. */
    mean: number;
    z: number;
    effect: number;
    /** Faces of the window that carried the signal. */
    rows: number;
  }[];
  /** Largest |z| and the signals past `zCritical`. */
  maxAbsZ: number;
  fired: QualitySignalName[];
}

/** The batch check's quality test runs once per run: its own α, not the streaming windows' share. */
export const BATCH_QUALITY_ALPHA = 0.001;

/** The quality test as a batch run makes it: one window at `BATCH_QUALITY_ALPHA`, Bonferroni over signals. */
export function batchQualityTest(
  profile: QualityProfile,
  x: ArrayLike<number>,
  n: number,
  d: number,
  quality: readonly QualityRecord[],
): QualityWindowResult & { zCritical: number } {
  const zCritical = normalQuantile(1 - BATCH_QUALITY_ALPHA / (2 * Math.max(1, profile.signals.length)));
  return { ...qualityWindowTest({ ...profile, zCritical }, x, n, d, quality), zCritical };
}

/** Tests one window (`x`: n × d unit vectors, `quality`: one record per row) against the profile. */
export function qualityWindowTest(
  profile: QualityProfile,
  x: ArrayLike<number>,
  n: number,
  d: number,
  quality: readonly QualityRecord[],
): QualityWindowResult {
  const rows = distinctRows(x, n, d);
  const sub = new Float32Array(rows.length * d);
  rows.forEach((r, i) => {
    for (let t = 0; t < d; t++) sub[i * d + t] = x[r * d + t] as number;
  });
  const labels = leaderClusters(sub, rows.length, d, profile.samePersonThreshold);
  const signals: QualityWindowResult["signals"] = [];
  for (const fit of profile.signals) {
    const values: number[] = [];
    const groups: number[] = [];
    rows.forEach((r, i) => {
      const v = signalValue(quality[r] ?? null, fit.name);
      if (Number.isFinite(v)) {
        values.push(v);
        groups.push(labels[i] as number);
      }
    });
    if (values.length < Math.min(30, profile.windowSize / 4)) continue;
    const m = values.reduce((s, v) => s + v, 0) / values.length;
    const c = concentration(groups);
    const variance =
      fit.between * (c + profile.referenceConcentration) +
      fit.within * (1 / values.length + 1 / profile.referenceRows);
    const z = (m - fit.mean) / (fit.scale * Math.sqrt(Math.max(variance, 1e-12)));
    signals.push({
      name: fit.name,
      mean: m,
      z,
      effect: fit.sd > 0 ? (m - fit.mean) / fit.sd : 0,
      rows: values.length,
    });
  }
  const maxAbsZ = signals.reduce((s, v) => Math.max(s, Math.abs(v.z)), 0);
  return {
    rows: n,
    distinctRows: rows.length,
    people: 1 / concentration(labels),
    signals,
    maxAbsZ,
    fired: signals.filter((s) => Math.abs(s.z) > profile.zCritical).map((s) => s.name),
  };
}

/**
 * Fits the detector on a reference (`x`: n × d unit vectors, one quality record per row, people
 * named by `identities` groups or null). Null when fewer than MIN_QUALITY_ROWS faces carry
 * signals — the caller reports that as a skipped detector, with the reason.
 */
export function fitQualityProfile(
  x: ArrayLike<number>,
  n: number,
  d: number,
  quality: readonly QualityRecord[],
  identities: ArrayLike<number> | null,
  options: QualityProfileOptions = {},
): QualityProfile | { skipped: string } {
  const seed = options.seed ?? 0;
  const withSignals = quality.filter(
    (q) => q && QUALITY_SIGNAL_NAMES.some((s) => Number.isFinite(signalValue(q, s))),
  );
  if (withSignals.length < MIN_QUALITY_ROWS) {
    return {
      skipped: `${withSignals.length} of ${n} reference embeddings carry quality signals (metadata.quality); ${MIN_QUALITY_ROWS} are needed`,
    };
  }
  const threshold = samePersonThreshold(x, n, d, identities, seed ^ 0x9e37);
  const people = identities ?? leaderClusters(x, n, d, threshold);
  const windowSize = options.windowSize ?? Math.max(100, Math.min(500, Math.floor(n / 2)));
  const step = Math.max(1, Math.floor(windowSize / 2));
  const targetPer10k = options.targetPer10k ?? 0.05;
  // Windows ending every `step` embeddings: 10,000/step windows share the budget.
  const alphaPerWindow = (targetPer10k * step) / 10_000;
  const names = QUALITY_SIGNAL_NAMES.filter(
    (s) => quality.filter((q) => Number.isFinite(signalValue(q, s))).length >= MIN_QUALITY_ROWS,
  );
  const zCritical = normalQuantile(1 - alphaPerWindow / (2 * Math.max(1, names.length)));
  const column = (name: QualitySignalName, rows?: readonly number[]) =>
    (rows ?? Array.from({ length: n }, (_, i) => i)).map((i) => signalValue(quality[i] ?? null, name));
  const signals: QualitySignalFit[] = names.map((name) => {
    const v = varianceComponents(column(name), people);
    return { name, mean: v.mean, sd: Math.sqrt(v.total), between: v.between, within: v.within, scale: 1 };
  });
  const profile: QualityProfile = {
    format: QUALITY_PROFILE_FORMAT,
    signals,
    samePersonThreshold: threshold,
    windowSize,
    step,
    zCritical,
    alphaPerWindow,
    referenceConcentration: concentration(people),
    referenceRows: n,
    calibration: {
      people: { by: identities ? "identity" : "clustering", count: new Set(Array.from(people)).size },
      windows: 0,
      windowRows: 0,
      peoplePerWindow: 0,
      firing: 0,
      targetPer10k,
      note: "",
    },
  };
  calibrateOnUnseenPeople(profile, x, n, d, quality, people, seed);
  return profile;
}

/**
 * Measures the z spread on windows of people the fit did not see: the profile is refitted on
 * half the people and tested on windows drawn from the other half, each signal's scale set to
 * the observed standard deviation of z when that exceeds 1 (a null that the variance model
 * understates), never below 1.
 */
function calibrateOnUnseenPeople(
  profile: QualityProfile,
  x: ArrayLike<number>,
  n: number,
  d: number,
  quality: readonly QualityRecord[],
  people: ArrayLike<number>,
  seed: number,
): void {
  const rng = seededRng(seed ^ 0x51ed);
  const ids = [...new Set(Array.from(people))];
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [ids[i], ids[j]] = [ids[j] as number, ids[i] as number];
  }
  const fitSide = new Set(ids.slice(0, ids.length >> 1));
  const fitRows: number[] = [];
  const testRows: number[] = [];
  for (let i = 0; i < n; i++) (fitSide.has(people[i] as number) ? fitRows : testRows).push(i);
  const size = Math.min(profile.windowSize, Math.floor(testRows.length / 2));
  if (size < 30 || fitRows.length < 30) {
    profile.calibration.note = `too few reference people to hold half out (${testRows.length} rows); z unscaled`;
    return;
  }
  const half: QualityProfile = {
    ...profile,
    referenceRows: fitRows.length,
    referenceConcentration: concentration(fitRows.map((i) => people[i] as number)),
    signals: profile.signals.map((s) => {
      const v = varianceComponents(
        fitRows.map((i) => signalValue(quality[i] ?? null, s.name)),
        fitRows.map((i) => people[i] as number),
      );
      return { ...s, mean: v.mean, sd: Math.sqrt(v.total), between: v.between, within: v.within, scale: 1 };
    }),
  };
  const windows = 200;
  const zs = profile.signals.map(() => [] as number[]);
  let peopleSum = 0;
  const pick = new Float32Array(size * d);
  for (let w = 0; w < windows; w++) {
    // A window of unseen people in capture order: a random contiguous run of the held-out rows.
    const start = Math.floor(rng() * (testRows.length - size + 1));
    const rows = testRows.slice(start, start + size);
    rows.forEach((r, i) => {
      for (let t = 0; t < d; t++) pick[i * d + t] = x[r * d + t] as number;
    });
    const result = qualityWindowTest(
      half,
      pick,
      size,
      d,
      rows.map((r) => quality[r] ?? null),
    );
    peopleSum += result.people;
    for (const s of result.signals) zs[profile.signals.findIndex((f) => f.name === s.name)]?.push(s.z);
  }
  // Contiguous runs of one held-out pool overlap and share its mean: their spread understates a
  // fresh pool's, so the pool-mean term is put back by the finite-population factor.
  const fpc = 1 / Math.sqrt(Math.max(0.25, 1 - size / testRows.length));
  profile.signals = profile.signals.map((s, k) => {
    const values = zs[k] ?? [];
    if (values.length < 20) return s;
    const mean = values.reduce((a, v) => a + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
    const rms = Math.sqrt(values.reduce((a, v) => a + v * v, 0) / values.length);
    return { ...s, scale: Math.max(1, Math.max(sd * fpc, rms)) };
  });
  let firing = 0;
  for (let w = 0; w < windows; w++) {
    let max = 0;
    profile.signals.forEach((s, k) => {
      const z = zs[k]?.[w];
      if (z !== undefined) max = Math.max(max, Math.abs(z) / s.scale);
    });
    if (max > profile.zCritical) firing++;
  }
  profile.calibration.windows = windows;
  profile.calibration.windowRows = size;
  profile.calibration.peoplePerWindow = peopleSum / windows;
  profile.calibration.firing = firing;
  profile.calibration.note =
    `fitted on ${fitRows.length} rows of half the people, tested on ${windows} windows of ${size} ` +
    `from the other half; ${firing} fired after scaling`;
}
