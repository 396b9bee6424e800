import {
  type AdwinParams,
  type Pc1Projection,
  type PcaModel,
  type PcaModelJson,
  pcaFromJson,
  REFERENCE_PROFILE_FORMAT,
} from "@facedrift/stats";
import { sql } from "drizzle-orm";
import type { Executor } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { FacedriftError } from "../errors.ts";

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
}

/**
 * The stream's active reference set, or null when it has none (or its set carries no fitted
 * profile, which the streaming detector cannot use). Only PCA mean, components and ADWIN
 * parameters are read out of the profile JSON: the MMD sample alone is megabytes.
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
    sql`SELECT profile->>'format' AS format, (profile->'pca')::text AS pca, (profile->'adwin')::text AS adwin
        FROM reference_sets WHERE id = ${id}`,
  );
  const reference = parseReference(id, streamId, Number(active.version), row);
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
    new FacedriftError("invalid_request", `reference set ${id} cannot drive the streaming detector: ${why}`);
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
  // Components are row-major k × d: PC1 is the first row.
  return {
    id,
    streamId,
    version,
    projection: { mean: Array.from(pca.mean), pc1: Array.from(pca.components.subarray(0, pca.dim)) },
    pca,
    adwin,
  };
}
