/**
 * @module
 * Who or how, for a batch run: the quality test (`@facedrift/stats` quality-window) over the run's
 * window, so a batch finding is classified like a streaming one — *input* when the faces are seen
 * differently (with the harm model's predicted cost), *population* when only who is seen changed.
 * Without quality signals, the detail test decides as it does for streaming findings.
 * Up to 1,000 rows of the window, evenly spaced, are tested: clustering them into people costs
 * O(rows · people), and 1,000 already resolve a tenth of a standard deviation.
 */
import {
  BATCH_QUALITY_ALPHA,
  batchQualityTest,
  DETAIL_TEST_ALPHA,
  type DetailTest,
  detailTest,
  EMBEDDING_HARM_MODELS,
  HARM_MODELS,
  harmEffects,
  hasDetailFields,
  inputSeverity,
  pcaFromJson,
  predictHarm,
  type QualityWindowResult,
  type ReferenceProfile,
  type ResidualLevel,
  residualDirectionOf,
  residualEffect,
} from "@facedrift/stats";
import type { Database } from "../db/database.ts";
import { copyKeyedVectors } from "../db/vector-copy.ts";
import { qualityOfSeqs } from "../services/embeddings/quality.ts";

export const MAX_QUALITY_ROWS = 1_000;

export interface BatchWhoHow {
  /** Null without a quality profile or detail test: who and how cannot be told apart, the statistics' severity stands. */
  category: "population" | "input" | null;
  /** Null: the statistics' severity stands (unclassified, or input off the face space, which no harm model prices). */
  severity: "info" | "warning" | "critical" | null;
  impact: { deltaAuc: number; error: number } | null;
  quality: (QualityWindowResult & { zCritical: number }) | null;
  /** The detail test, on a reference without quality signals (`detailTest`). */
  detail?: DetailTest;
  /** Why there is no quality test (no profile, too few rows). */
  note?: string;
}

/** The reference can put a run to the detail test (embeddings only: no quality window to do it). */
export function hasDetailTest(profile: ReferenceProfile): boolean {
  return hasDetailFields(profile.residualLevel) && profile.mmd?.samePersonThreshold !== undefined;
}

/**
 * `confirmed`: the run's statistics found drift, so the test only says who or how (the streaming
 * findings' α); otherwise a detail test that fires is the run's only finding, at the batch
 * quality test's α.
 */
export async function classifyBatch(
  database: Database,
  stream: { id: number; dimension: number; modelId: string },
  profile: ReferenceProfile,
  seqs: readonly number[],
  confirmed = true,
): Promise<BatchWhoHow> {
  const unclassified = (note: string): BatchWhoHow => ({
    category: null,
    severity: null,
    impact: null,
    quality: null,
    note,
  });
  const level = profile.residualLevel;
  const threshold = profile.mmd?.samePersonThreshold;
  if (!profile.quality && !hasDetailTest(profile)) {
    return unclassified(
      "the reference has no quality window (its embeddings carried no metadata.quality) and predates the detail test: who and how cannot be told apart",
    );
  }
  if (seqs.length < 30)
    return unclassified(
      `${seqs.length} rows are too few for the ${profile.quality ? "quality" : "detail"} test`,
    );
  const step = Math.max(1, seqs.length / MAX_QUALITY_ROWS);
  const picked = Array.from(
    { length: Math.min(seqs.length, MAX_QUALITY_ROWS) },
    (_, i) => seqs[Math.floor(i * step)] as number,
  );
  // COPY takes no parameters; every value inlined is an integer from the database.
  const select = `SELECT seq, embedding FROM embeddings WHERE stream_id = ${Math.trunc(stream.id)}
    AND seq = ANY('{${picked.map((s) => Math.trunc(s)).join(",")}}'::bigint[]) ORDER BY seq`;
  const { keys, x, n } = await copyKeyedVectors(database, select, stream.dimension);
  if (!profile.quality) {
    // Embeddings only: did the window's faces lose identity detail against new people (input),
    // or is it who is seen (population)? The streaming findings' test, on the run's rows.
    const pca = pcaFromJson(profile.pca);
    const alpha = confirmed ? DETAIL_TEST_ALPHA : BATCH_QUALITY_ALPHA;
    const harm = EMBEDDING_HARM_MODELS[stream.modelId] ?? null;
    const detail = detailTest(
      level as ResidualLevel,
      pca,
      x,
      n,
      threshold as number,
      alpha,
      residualDirectionOf(harm),
    ) as DetailTest;
    if (!detail.lost && !detail.offFaceSpace)
      return { category: "population", severity: "info", impact: null, quality: null, detail };
    const impact =
      harm && detail.lost
        ? predictHarm(harm, { embeddingResidual: residualEffect(level as ResidualLevel, pca, x, n) })
        : null;
    // Off the face space the harm model has nothing to price: the statistics' severity stands.
    return {
      category: "input",
      severity: detail.lost ? inputSeverity(impact) : null,
      impact,
      quality: null,
      detail,
    };
  }
  const quality = await qualityOfSeqs(database.db, stream.id, keys);
  const result = batchQualityTest(profile.quality, x, n, stream.dimension, quality);
  if (result.fired.length === 0) {
    return { category: "population", severity: "info", impact: null, quality: result };
  }
  const harm = HARM_MODELS[stream.modelId] ?? null;
  const residual = profile.residualLevel
    ? residualEffect(profile.residualLevel, pcaFromJson(profile.pca), x, n)
    : null;
  const impact = harm ? predictHarm(harm, harmEffects(result, residual)) : null;
  return { category: "input", severity: inputSeverity(impact), impact, quality: result };
}
