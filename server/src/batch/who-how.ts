/**
 * @module
 * Who or how, for a batch run: the quality test (`@facedrift/stats` quality-window) over the run's
 * window, so a batch finding is classified like a streaming one — *input* when the faces are seen
 * differently (with the harm model's predicted cost), *population* when only who is seen changed.
 * Up to 1,000 rows of the window, evenly spaced, are tested: clustering them into people costs
 * O(rows · people), and 1,000 already resolve a tenth of a standard deviation.
 */
import {
  batchQualityTest,
  HARM_MODELS,
  harmEffects,
  inputSeverity,
  pcaFromJson,
  predictHarm,
  type QualityWindowResult,
  type ReferenceProfile,
  residualEffect,
} from "@facedrift/stats";
import type { Database } from "../db/database.ts";
import { copyKeyedVectors } from "../db/vector-copy.ts";
import { qualityOfSeqs } from "../services/embeddings/quality.ts";

export const MAX_QUALITY_ROWS = 1_000;

export interface BatchWhoHow {
  /** Null without a quality profile: who and how cannot be told apart, the statistics' severity stands. */
  category: "population" | "input" | null;
  severity: "info" | "warning" | "critical" | null;
  impact: { deltaAuc: number; error: number } | null;
  quality: (QualityWindowResult & { zCritical: number }) | null;
  /** Why there is no quality test (no profile, too few rows). */
  note?: string;
}

export async function classifyBatch(
  database: Database,
  stream: { id: number; dimension: number; modelId: string },
  profile: ReferenceProfile,
  seqs: readonly number[],
): Promise<BatchWhoHow> {
  const unclassified = (note: string): BatchWhoHow => ({
    category: null,
    severity: null,
    impact: null,
    quality: null,
    note,
  });
  if (!profile.quality) {
    return unclassified(
      "the reference has no quality window (its embeddings carried no metadata.quality): who and how cannot be told apart",
    );
  }
  if (seqs.length < 30) return unclassified(`${seqs.length} rows are too few for the quality test`);
  const step = Math.max(1, seqs.length / MAX_QUALITY_ROWS);
  const picked = Array.from(
    { length: Math.min(seqs.length, MAX_QUALITY_ROWS) },
    (_, i) => seqs[Math.floor(i * step)] as number,
  );
  // COPY takes no parameters; every value inlined is an integer from the database.
  const select = `SELECT seq, embedding FROM embeddings WHERE stream_id = ${Math.trunc(stream.id)}
    AND seq = ANY('{${picked.map((s) => Math.trunc(s)).join(",")}}'::bigint[]) ORDER BY seq`;
  const { keys, x, n } = await copyKeyedVectors(database, select, stream.dimension);
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
