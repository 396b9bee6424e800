import { type AdwinParams, type Pc1Projection, REFERENCE_PROFILE_FORMAT } from "@facedrift/stats";
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
  dim: string | null;
  mean: string | null;
  components: string | null;
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
    sql`SELECT profile->>'format' AS format, profile->'pca'->>'dim' AS dim,
          (profile->'pca'->'mean')::text AS mean, (profile->'pca'->'components')::text AS components,
          (profile->'adwin')::text AS adwin
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
  const dim = Number(row.dim);
  const mean = JSON.parse(row.mean ?? "null") as unknown;
  const components = JSON.parse(row.components ?? "null") as unknown;
  if (!Number.isInteger(dim) || dim < 1 || !Array.isArray(mean) || mean.length !== dim) {
    throw broken(`PCA mean does not have ${row.dim} entries`);
  }
  if (!Array.isArray(components) || components.length < dim) throw broken("PCA has no first component");
  const adwin = JSON.parse(row.adwin ?? "null") as AdwinParams | null;
  if (adwin === null || typeof adwin !== "object") throw broken("profile has no ADWIN parameters");
  // Components are row-major k × d: PC1 is the first row.
  return {
    id,
    streamId,
    version,
    projection: { mean: mean as number[], pc1: (components as number[]).slice(0, dim) },
    adwin,
  };
}
