import { fitReferenceProfile, type ReferenceProfileOptions } from "@facedrift/stats";
import type { Database, Db } from "../../db/database.ts";
import type { ReferenceProfileJson } from "../../db/schema/reference-set.ts";
import { FacedriftError } from "../../errors.ts";
import { decodeBatch, type IngestItem } from "../embeddings/decode.ts";
import type { ModelRef } from "../embeddings/ingest.ts";
import { type EmbeddingWindow, readWindow, sampleIndices } from "../embeddings/window.ts";
import { createReferenceSet } from "../reference-sets/create.ts";
import { getStream } from "../streams/get.ts";
import type { StreamView } from "../streams/view.ts";
import { storeKnnThreshold } from "./threshold.ts";

/** Reference embeddings: uploaded items (of the stream's model), or a window of the stream's own. */
export type ReferenceSource = { model: ModelRef; items: readonly IngestItem[] } | EmbeddingWindow;

export interface FitReferenceOptions extends Pick<ReferenceProfileOptions, "components" | "mmdSampleSize"> {
  /** Seed of every random choice; recorded in the set's params (default 0). */
  seed?: number;
  /**
   * Most vectors stored for kNN novelty (default 20,000; a seeded subsample beyond). The profile
   * is fitted on all of them; only the HNSW set is capped, to bound its build time and size.
   */
  maxVectors?: number;
  /** Reference points queried for the kNN threshold (default 1,000, seeded). */
  knnQueries?: number;
  description?: string;
  /** Make the new version active (default true). */
  activate?: boolean;
}

export interface FitReferenceInput {
  tenantId: number;
  stream: string;
  source: ReferenceSource;
  options?: FitReferenceOptions;
}

export interface FittedReference {
  id: number;
  version: number;
  explained_variance_ratio: number[];
  calibration: Record<string, unknown>;
  knn_threshold: number | null;
}

export const DEFAULT_MAX_REFERENCE_VECTORS = 20_000;
export const DEFAULT_KNN_QUERIES = 1_000;

/**
 * Fits, calibrates and stores a new reference version for a stream: the frozen profile
 * (`fitReferenceProfile`: PCA, PSI bins, KS and MMD samples, calibration), the vectors under their
 * HNSW index, and the kNN novelty threshold measured on that index. One transaction: a failure
 * anywhere leaves no new version behind.
 */
export async function fitReference(database: Database, input: FitReferenceInput): Promise<FittedReference> {
  const stream = await getStream(database.db, input.tenantId, input.stream);
  const options = input.options ?? {};
  const seed = options.seed ?? 0;
  const { n, x, origin } = await loadSource(database, stream, input.source);
  if (n < 10) {
    throw new FacedriftError("invalid_request", `a reference needs at least 10 embeddings, got ${n}`, {
      field: "items" in input.source ? "items" : "window",
    });
  }
  const d = stream.dimension;
  const profile = fitReferenceProfile(x, n, d, {
    components: options.components,
    mmdSampleSize: options.mmdSampleSize,
    seed,
  });
  const maxVectors = options.maxVectors ?? DEFAULT_MAX_REFERENCE_VECTORS;
  const kept = sampleIndices(n, maxVectors, seed);
  const vectors = kept.map((i) => x.subarray(i * d, (i + 1) * d));
  const calibration = profile.calibration as unknown as Record<string, unknown>;
  return database.db.transaction(async (tx) => {
    const { id, version } = await createReferenceSet(tx as unknown as Db, {
      streamId: stream.id,
      vectors,
      params: {
        seed,
        source: origin,
        rows: n,
        storedVectors: vectors.length,
        components: profile.pca.nComponents,
        mmdSampleSize: profile.mmd.sampleSize,
      },
      profile: profile as unknown as ReferenceProfileJson,
      calibration,
      description: options.description,
      activate: options.activate,
    });
    const threshold = await storeKnnThreshold(tx, id, d, options.knnQueries ?? DEFAULT_KNN_QUERIES, seed);
    return {
      id,
      version,
      explained_variance_ratio: profile.pca.explainedVarianceRatio,
      calibration,
      knn_threshold: threshold,
    };
  });
}

async function loadSource(
  database: Database,
  stream: StreamView,
  source: ReferenceSource,
): Promise<{ n: number; x: Float32Array; origin: Record<string, unknown> }> {
  if ("items" in source) {
    if (source.model.id !== stream.model.id || source.model.version !== stream.model.version) {
      throw new FacedriftError(
        "conflict",
        `the stream holds model ${stream.model.id}@${stream.model.version}, these items are ` +
          `${source.model.id}@${source.model.version}: a reference must come from the stream's model`,
        { field: "model" },
      );
    }
    if (source.items.length === 0)
      throw new FacedriftError("invalid_request", "items is empty", { field: "items" });
    const batch = decodeBatch(source.items, stream.dimension);
    const d = stream.dimension;
    const x = new Float32Array(batch.vectors.length * d);
    batch.vectors.forEach((v, i) => {
      x.set(v, i * d);
    });
    return { n: batch.vectors.length, x, origin: { kind: "items", count: batch.vectors.length } };
  }
  const data = await readWindow(database, stream.id, stream.dimension, source);
  const origin =
    "last" in source
      ? { kind: "last", last: source.last, fromSeq: data.fromSeq, toSeq: data.toSeq }
      : {
          kind: "window",
          from: source.from.toISOString(),
          to: source.to.toISOString(),
          fromSeq: data.fromSeq,
          toSeq: data.toSeq,
        };
  return { n: data.n, x: data.x, origin };
}
