import {
  DEFAULT_TIME_BLOCKS,
  labelGroups,
  type QualityRecord,
  type ReferenceProfileOptions,
  timeBlocks,
} from "@facedrift/stats";
import { sql } from "drizzle-orm";
import { compute } from "../../compute/pool.ts";
import { type Database, type Db, queryRows } from "../../db/database.ts";
import { pgArrayLiteral } from "../../db/pg-array.ts";
import type { ReferenceProfileJson } from "../../db/schema/reference-set.ts";
import { FacedriftError } from "../../errors.ts";
import { decodeBatch, type IngestItem } from "../embeddings/decode.ts";
import type { ModelRef } from "../embeddings/ingest.ts";
import { qualityOfMetadata, qualityOfSeqs } from "../embeddings/quality.ts";
import { type EmbeddingWindow, readWindow, sampleIndices } from "../embeddings/window.ts";
import { createReferenceSet } from "../reference-sets/create.ts";
import { psiBinningOf } from "../stream-settings/settings.ts";
import { getStreamSettings } from "../stream-settings/update.ts";
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
  /**
   * Metadata field naming the person in each embedding (default "person"). When every reference
   * embedding carries one (and there are at least two people), the kNN threshold is calibrated
   * across people; otherwise across contiguous time blocks.
   */
  identityField?: string;
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
export const DEFAULT_IDENTITY_FIELD = "person";

/**
 * Who is who in the reference: its people when the embeddings name them, else contiguous time
 * blocks (a person in front of the camera stays within one). The kNN threshold and the MMD
 * window are both calibrated across these groups, so that they measure new people.
 */
function groupsOf(n: number, identities: (string | null)[] | null, identityField: string) {
  const byIdentity = identities ? labelGroups(identities) : null;
  const split = byIdentity
    ? { by: "identity" as const, field: identityField, groups: new Set(byIdentity).size }
    : { by: "time" as const, blocks: DEFAULT_TIME_BLOCKS };
  return { groups: byIdentity ?? timeBlocks(n, DEFAULT_TIME_BLOCKS), split };
}

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
  const identityField = options.identityField ?? DEFAULT_IDENTITY_FIELD;
  const { n, x, origin, identities, quality } = await loadSource(
    database,
    stream,
    input.source,
    identityField,
  );
  if (n < 10) {
    throw new FacedriftError("invalid_request", `a reference needs at least 10 embeddings, got ${n}`, {
      field: "items" in input.source ? "items" : "window",
    });
  }
  const d = stream.dimension;
  const groups = groupsOf(n, identities, identityField);
  // The stream's PSI bins are fixed into this version: changing the setting later takes a new fit.
  const psiBinning = psiBinningOf(
    (await getStreamSettings(database.db, input.tenantId, input.stream)).psiBins,
  );
  const maxVectors = options.maxVectors ?? DEFAULT_MAX_REFERENCE_VECTORS;
  const kept = sampleIndices(n, maxVectors, seed);
  // The profile and the kNN threshold are minutes of CPU for large references: a compute worker
  // runs them (`compute/pool.ts`), and the matrix comes back with the result.
  const fitted = await compute({
    kind: "fit-reference",
    x,
    n,
    d,
    options: {
      psiBinning,
      components: options.components,
      mmdSampleSize: options.mmdSampleSize,
      groups: groups.groups,
      quality: { records: quality, identities: identities ? labelGroups(identities) : null },
      seed,
    },
    // The kNN novelty threshold on held-out data (`heldOutKnnThreshold`): each query's nearest
    // stored vector of another person, or, when the embeddings do not name people, of another
    // contiguous time block. The reference's own nearest-other distance (the old threshold) is
    // usually the same person's other photo, so it sat below almost every new person
    // (docs/detection-quality.md).
    knn: {
      groups: groups.groups,
      stored: kept,
      queries: options.knnQueries ?? DEFAULT_KNN_QUERIES,
      seed: seed ^ 0x6b6e6e,
    },
  });
  const { profile } = fitted;
  const vectors = kept.map((i) => fitted.x.subarray(i * d, (i + 1) * d));
  const knn = {
    threshold: fitted.knn?.threshold ?? null,
    queries: fitted.knn?.queries ?? 0,
    split: groups.split,
  };
  const calibration = { ...profile.calibration, knn } as unknown as Record<string, unknown>;
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
        psiBinning,
        knnSplit: knn.split,
      },
      profile: profile as unknown as ReferenceProfileJson,
      calibration,
      description: options.description,
      activate: options.activate,
    });
    const threshold = await storeKnnThreshold(tx, id, knn.threshold);
    return {
      id,
      version,
      explained_variance_ratio: profile.pca.explainedVarianceRatio,
      calibration,
      knn_threshold: threshold,
    };
  });
}

/** Rows in time order (window: by seq; items: as posted), with each row's identity label if any. */
async function loadSource(
  database: Database,
  stream: StreamView,
  source: ReferenceSource,
  identityField: string,
): Promise<{
  n: number;
  x: Float32Array;
  origin: Record<string, unknown>;
  identities: (string | null)[] | null;
  quality: QualityRecord[];
}> {
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
    const identities = source.items.map((item) => labelOf(item.metadata?.[identityField]));
    const quality = source.items.map((item) => qualityOfMetadata(item.metadata));
    return {
      n: batch.vectors.length,
      x,
      origin: { kind: "items", count: batch.vectors.length },
      identities,
      quality,
    };
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
  return {
    n: data.n,
    x: data.x,
    origin,
    identities: await identitiesOf(database.db, stream.id, data.keys, identityField),
    quality: await qualityOfSeqs(database.db, stream.id, data.keys),
  };
}

function labelOf(value: unknown): string | null {
  return typeof value === "string" || typeof value === "number" ? String(value) : null;
}

/** The identity label of each row (by seq, in the given order); null when no row has one. */
async function identitiesOf(db: Db, streamId: number, seqs: number[], field: string) {
  if (seqs.length === 0) return null;
  const rows = await queryRows<{ seq: string; label: string | null }>(
    db,
    sql`SELECT seq::text AS seq, metadata->>${field} AS label FROM embeddings
        WHERE stream_id = ${streamId} AND seq = ANY(${pgArrayLiteral(seqs)}::bigint[])`,
  );
  const bySeq = new Map(rows.map((r) => [Number(r.seq), r.label]));
  const labels = seqs.map((seq) => bySeq.get(seq) ?? null);
  return labels.some((l) => l !== null) ? labels : null;
}
