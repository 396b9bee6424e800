import {
  type AdwinParams,
  EMBEDDING_HARM_MODELS,
  FEATURE_WINDOW_FORMAT,
  FeatureMmdWindow,
  type FeatureWindowProfile,
  HARM_MODELS,
  type HarmModel,
  hasDetailFields,
  MmdWindow,
  type MmdWindowCalibration,
  type Pc1Projection,
  type PcaModel,
  type PcaModelJson,
  type PeopleReference,
  pcaFromJson,
  pcaResidual,
  projectPca,
  QUALITY_PROFILE_FORMAT,
  type QualityProfile,
  REFERENCE_PROFILE_FORMAT,
  type ResidualLevel,
} from "@facedrift/stats";
import { sql } from "drizzle-orm";
import type { Executor } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { FacedriftError } from "../errors.ts";
import { detectorWarnings } from "../services/dashboard/detector-warnings.ts";

/** What the streaming detector needs from a stream's active reference set. */
export interface StreamingReference {
  id: number;
  streamId: number;
  version: number;
  /** The reference mean and its unit first principal component (`profile.pca`). */
  projection: Pc1Projection;
  /** The whole frozen PCA: the worker caches every embedding's scores on all its components. */
  pca: PcaModel;
  /** ADWIN parameters frozen in the profile (the ones its calibration replayed). */
  adwin: AdwinParams;
  /** ADWIN on the PCA residual; null for a profile fitted before it existed. */
  residualAdwin: AdwinParams | null;
  /**
   * The MMD window (every `size` embeddings, MMD² above `threshold`): on PCA scores and residual
   * (`profile.featureWindow`), or on all dimensions for a profile fitted before that
   * (`profile.mmdWindow`); null when the profile has neither.
   */
  mmdWindow:
    | ({ size: number; threshold: number; alpha: number } & (
        | { space: "all-dimensions"; detector: MmdWindow }
        | {
            space: "pca-scores+residual";
            detector: FeatureMmdWindow;
            /** The profile's PCA is the window's cut short: one projection serves both (`project-batch.ts`). */
            sharesProjection: boolean;
          }
      ))
    | null;
  /**
   * The input/pipeline detector (`profile.quality`) and the harm model of the stream's embedder
   * (null when none ships for it: findings are then rated without a predicted cost). Null when
   * the profile has no quality detector.
   */
  quality: { profile: QualityProfile; harm: HarmModel | null } | null;
  /**
   * The PCA residual new people show (`profile.residualLevel`): the harm model's
   * `embeddingResidual` effect is measured against it. Null for a profile fitted before it.
   */
  residualLevel: ResidualLevel | null;
  /**
   * The embedder's harm model from the embeddings alone: prices an embedding finding the person
   * test calls input (no quality signals to price it by). Null when none ships for the embedder.
   */
  embeddingHarm: HarmModel | null;
  /**
   * The reference's MMD sample and same-person threshold, so an embedding finding the quality
   * window cannot judge (no quality detector, or a stream that sends no quality signals) is
   * classified by the detail test (`detailTest`; on a profile stored before it, the person test,
   * `people-check.ts`). Null for a profile without a same-person
   * threshold (such findings stay unclassified).
   */
  people: (PeopleReference & { values: PeopleValues }) | null;
  /** What the profile cannot run and why, for the worker to say once; null when it runs everything. */
  limitation: string | null;
}

/** PC1 score and PCA residual of each MMD-sample row: ADWIN findings are tested on their own value. */
export interface PeopleValues {
  pc1: Float64Array;
  residual: Float64Array;
}

/** The people check's reference: the MMD sample with its rows' PC1 scores and residuals. */
export function peopleReferenceOf(
  pca: PcaModel,
  people: PeopleReference,
): PeopleReference & { values: PeopleValues } {
  const m = people.sampleSize;
  const scores = projectPca(pca, people.sample, m);
  const k = pca.nComponents;
  return {
    ...people,
    values: {
      pc1: Float64Array.from({ length: m }, (_, i) => scores[i * k] as number),
      residual: pcaResidual(pca, people.sample, m, scores),
    },
  };
}

/** Reference id → what was read from its profile; profiles are frozen, so entries never go stale. */
export type ReferenceCache = Map<number, StreamingReference>;

interface ActiveRow {
  id: string;
  version: number;
}

interface ProfileRow {
  format: string | null;
  pca: string | null;
  adwin: string | null;
  residual: string | null;
  mmd_window: string | null;
  mmd_window_skipped: string | null;
  feature_window: string | null;
  quality: string | null;
  quality_skipped: string | null;
  residual_level: string | null;
  model_id: string | null;
}

/**
 * The stream's active reference set, or null when it has none (or its set carries no fitted
 * profile, which the streaming detector cannot use). Only the fields the detectors use are read
 * out of the profile JSON, and the MMD sample (megabytes) only when there is a window to run.
 */
export async function loadActiveReference(
  db: Executor,
  streamId: number,
  cache?: ReferenceCache,
): Promise<StreamingReference | null> {
  const [active] = await queryRows<ActiveRow>(
    db,
    sql`SELECT id::text AS id, version FROM reference_sets
        WHERE stream_id = ${streamId} AND active AND profile IS NOT NULL`,
  );
  if (!active) return null;
  const id = Number(active.id);
  const cached = cache?.get(id);
  if (cached) return cached;
  const [row] = await queryRows<ProfileRow>(
    db,
    sql`SELECT profile->>'format' AS format, (profile->'pca')::text AS pca, (profile->'adwin')::text AS adwin,
          (profile->'residual'->'adwin')::text AS residual, (profile->'mmdWindow')::text AS mmd_window,
          profile->'calibration'->>'mmdWindowSkipped' AS mmd_window_skipped,
          (profile->'featureWindow')::text AS feature_window,
          (profile->'quality')::text AS quality, profile->'calibration'->>'qualitySkipped' AS quality_skipped,
          (profile->'residualLevel')::text AS residual_level,
          (SELECT model_id FROM streams WHERE streams.id = reference_sets.stream_id) AS model_id
        FROM reference_sets WHERE id = ${id}`,
  );
  const reference = parseReference(id, streamId, Number(active.version), row);
  if (row?.feature_window) reference.mmdWindow = featureWindowOf(row.feature_window, reference.pca);
  else if (row?.mmd_window)
    reference.mmdWindow = await loadMmdWindow(db, id, row.mmd_window, reference.pca.dim);
  const people = await loadPeopleReference(db, id);
  reference.people = people && peopleReferenceOf(reference.pca, people);
  if (cache) {
    for (const [key, entry] of cache) if (entry.streamId === streamId) cache.delete(key);
    cache.set(id, reference);
  }
  return reference;
}

function parseReference(
  id: number,
  streamId: number,
  version: number,
  row: ProfileRow | undefined,
): StreamingReference {
  const broken = (why: string) =>
    new FacedriftError(
      "invalid_request",
      `reference version ${version} cannot drive the streaming detector: ${why}`,
    );
  if (row?.format !== REFERENCE_PROFILE_FORMAT) {
    throw broken(`profile format is ${JSON.stringify(row?.format)}, not ${REFERENCE_PROFILE_FORMAT}`);
  }
  let pca: PcaModel;
  try {
    pca = pcaFromJson(JSON.parse(row.pca ?? "null") as PcaModelJson);
  } catch (error) {
    throw broken(`its PCA cannot be read (${(error as Error).message})`);
  }
  const adwin = JSON.parse(row.adwin ?? "null") as AdwinParams | null;
  if (adwin === null || typeof adwin !== "object") throw broken("profile has no ADWIN parameters");
  const residualAdwin = JSON.parse(row.residual ?? "null") as AdwinParams | null;
  const quality = JSON.parse(row.quality ?? "null") as QualityProfile | null;
  const residualLevel = JSON.parse(row.residual_level ?? "null") as ResidualLevel | null;
  if (quality !== null && quality.format !== QUALITY_PROFILE_FORMAT)
    throw broken("its quality profile has an unknown format");
  const missing = detectorWarnings({
    hasResidual: residualAdwin !== null,
    hasMmdWindow: row.mmd_window !== null || row.feature_window !== null,
    hasFeatureWindow: row.feature_window !== null,
    hasQuality: quality !== null,
    hasDetailTest: hasDetailFields(residualLevel),
    mmdWindowSkipped: row.mmd_window_skipped,
    qualitySkipped: row.quality_skipped,
  });
  // Components are row-major k × d: PC1 is the first row.
  return {
    id,
    streamId,
    version,
    projection: { mean: Array.from(pca.mean), pc1: Array.from(pca.components.subarray(0, pca.dim)) },
    pca,
    adwin,
    residualAdwin,
    mmdWindow: null,
    quality: quality ? { profile: quality, harm: (row.model_id && HARM_MODELS[row.model_id]) || null } : null,
    residualLevel,
    embeddingHarm: (row.model_id && EMBEDDING_HARM_MODELS[row.model_id]) || null,
    people: null,
    limitation: missing.length === 0 ? null : `runs without ${missing.join("; ")}`,
  };
}

/** The window on PCA scores and residual: everything it needs is in its own profile field. */
function featureWindowOf(json: string, pca: PcaModel): NonNullable<StreamingReference["mmdWindow"]> {
  const profile = JSON.parse(json) as FeatureWindowProfile;
  if (profile.format !== FEATURE_WINDOW_FORMAT)
    throw new FacedriftError(
      "invalid_request",
      `feature window format ${JSON.stringify(profile.format)} is unknown`,
    );
  const detector = new FeatureMmdWindow(profile);
  return {
    space: "pca-scores+residual",
    size: profile.size,
    threshold: profile.threshold,
    alpha: profile.alpha,
    detector,
    sharesProjection: detector.sharesProjection(pca),
  };
}

/** The MMD sample and same-person threshold, once per reference; null without a threshold (older profiles). */
async function loadPeopleReference(db: Executor, id: number): Promise<PeopleReference | null> {
  const [row] = await queryRows<{
    sample: string;
    sample_size: number;
    sigma: number;
    threshold: number | null;
  }>(
    db,
    sql`SELECT (profile->'mmd'->'sample')::text AS sample, (profile->'mmd'->>'sampleSize')::int AS sample_size,
          (profile->'mmd'->>'sigma')::float8 AS sigma,
          (profile->'mmd'->>'samePersonThreshold')::float8 AS threshold
        FROM reference_sets WHERE id = ${id}`,
  );
  if (!row || row.threshold === null) return null;
  return {
    sample: Float64Array.from(JSON.parse(row.sample) as number[]),
    sampleSize: Number(row.sample_size),
    sigma: Number(row.sigma),
    samePersonThreshold: Number(row.threshold),
  };
}

/** The window's threshold and, once per reference, the MMD sample with its sample-side kernel sum. */
async function loadMmdWindow(db: Executor, id: number, json: string, dimension: number) {
  const calibration = JSON.parse(json) as MmdWindowCalibration;
  const [row] = await queryRows<{ sample: string; sample_size: number; sigma: number }>(
    db,
    sql`SELECT (profile->'mmd'->'sample')::text AS sample, (profile->'mmd'->>'sampleSize')::int AS sample_size,
          (profile->'mmd'->>'sigma')::float8 AS sigma
        FROM reference_sets WHERE id = ${id}`,
  );
  if (!row) throw new FacedriftError("invalid_request", "the reference disappeared");
  const sample = JSON.parse(row.sample) as number[];
  return {
    space: "all-dimensions" as const,
    size: calibration.size,
    threshold: calibration.threshold,
    alpha: calibration.alpha,
    detector: new MmdWindow(sample, row.sample_size, dimension, Number(row.sigma)),
  };
}
