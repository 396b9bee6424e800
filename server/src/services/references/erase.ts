/**
 * @module
 * Privacy erasure inside reference versions. A version keeps copies of stream embeddings: its
 * stored vectors (`reference_embeddings`, for kNN novelty), the profile's MMD sample (raw rows)
 * and its KS sample (each row's PCA scores). When a subject's embeddings are erased, this finds
 * those copies by value — a stored vector equal to an erased one (float32, as stored), an MMD
 * sample row equal to it, a KS sample row equal to its projection — removes them, and marks the
 * version (`reference_sets.erasure`): its PCA, PSI bins and calibrations were fitted with the
 * erased rows, so fitting a new version is recommended; the marked one keeps working meanwhile.
 *
 * Only versions fitted after an embedding was received can hold it, so rows received later are
 * not compared.
 */
import { type PcaModel, type PcaModelJson, pcaFromJson, transformPca } from "@facedrift/stats";
import { sql } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import { queryRows } from "../../db/database.ts";
import { pgArrayLiteral } from "../../db/pg-array.ts";
import { formatVectorText } from "../../db/schema/vector-column.ts";

/** An erased embedding: its vector and when it was received. */
export interface ErasedVector {
  embedding: Float32Array;
  receivedAtMs: number;
}

export interface ReferenceErasureReport {
  version: number;
  storedVectorsRemoved: number;
  mmdSampleRowsRemoved: number;
  ksSampleRowsRemoved: number;
}

interface VersionState {
  id: number;
  version: number;
  createdAtMs: number;
  profile: ProfileSamples | null;
  pca: PcaModel | null;
  dimension: number;
  /** MMD sample rows by the bytes of their float32 values. */
  mmdRows: Map<string, number[]>;
  /** KS sample rows by their rounded first score. */
  ksRows: Map<string, number[]>;
  removedMmd: Set<number>;
  removedKs: Set<number>;
  storedRemoved: number;
}

interface ProfileSamples {
  dimension: number;
  pca: PcaModelJson;
  ksSample: { rows: number; scores: number[] };
  mmd: { sampleSize: number; sample: number[]; sigma: number };
}

/** Scores agree to the last bits (same function, same input); the tolerance only guards rounding. */
const KS_TOLERANCE = 1e-9;

export class ReferenceEraser {
  private constructor(
    private readonly streamId: number,
    private readonly versions: VersionState[],
  ) {}

  /** Loads the stream's versions (all of them: an inactive one can be activated again). */
  static async load(db: Executor, streamId: number): Promise<ReferenceEraser> {
    const rows = await queryRows<{
      id: number;
      version: number;
      created_ms: number;
      dimension: number;
      profile: unknown;
    }>(
      db,
      sql`SELECT id::int AS id, version, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms,
            dimension, profile FROM reference_sets WHERE stream_id = ${streamId} ORDER BY version`,
    );
    return new ReferenceEraser(
      streamId,
      rows.map((row) => {
        const profile = parseProfile(row.profile);
        const state: VersionState = {
          id: row.id,
          version: row.version,
          createdAtMs: row.created_ms,
          profile,
          pca: profile ? pcaFromJson(profile.pca) : null,
          dimension: row.dimension,
          mmdRows: new Map(),
          ksRows: new Map(),
          removedMmd: new Set(),
          removedKs: new Set(),
          storedRemoved: 0,
        };
        if (profile) {
          const d = profile.dimension;
          for (let r = 0; r < profile.mmd.sample.length / d; r++) {
            push(state.mmdRows, vectorKey(profile.mmd.sample.slice(r * d, r * d + d)), r);
          }
          const k = profile.pca.nComponents;
          for (let r = 0; r < profile.ksSample.rows; r++)
            push(state.ksRows, scoreKey(profile.ksSample.scores[r * k] as number), r);
        }
        return state;
      }),
    );
  }

  get empty(): boolean {
    return this.versions.length === 0;
  }

  /** The latest version's fit time: erased rows received after it are in no version. */
  get latestFitMs(): number {
    return Math.max(-Infinity, ...this.versions.map((v) => v.createdAtMs));
  }

  /** Finds the sample rows equal to erased vectors; nothing is written until `apply`. */
  scan(vectors: readonly ErasedVector[]): void {
    for (const version of this.versions) {
      if (!version.profile || !version.pca) continue;
      const candidates = vectors.filter(
        (v) => v.receivedAtMs <= version.createdAtMs && v.embedding.length === version.dimension,
      );
      if (candidates.length === 0) continue;
      const d = version.dimension;
      const k = version.pca.nComponents;
      for (const vector of candidates) {
        for (const row of version.mmdRows.get(vectorKey(vector.embedding)) ?? []) version.removedMmd.add(row);
      }
      const x = new Float32Array(candidates.length * d);
      for (const [i, v] of candidates.entries()) x.set(v.embedding, i * d);
      const scores = transformPca(version.pca, x, candidates.length);
      const ks = version.profile.ksSample.scores;
      for (let i = 0; i < candidates.length; i++) {
        for (const row of version.ksRows.get(scoreKey(scores[i * k] as number)) ?? []) {
          let same = true;
          for (let j = 0; j < k && same; j++) {
            const a = scores[i * k + j] as number;
            const b = ks[row * k + j] as number;
            same = Math.abs(a - b) <= KS_TOLERANCE * Math.max(1, Math.abs(b));
          }
          if (same) version.removedKs.add(row);
        }
      }
    }
  }

  /**
   * Removes stored vectors equal to `vectors` (or, with `erasedRowsSql`, to the stream rows it
   * selects, before they are deleted) and writes back every changed profile and its mark.
   */
  async apply(
    db: Executor,
    source: { vectors: readonly ErasedVector[] } | { erasedRowsSql: ReturnType<typeof sql> },
    now: Date = new Date(),
  ): Promise<ReferenceErasureReport[]> {
    if (this.empty) return [];
    if ("vectors" in source) {
      for (let start = 0; start < source.vectors.length; start += 500) {
        const chunk = source.vectors.slice(start, start + 500);
        await this.removeStored(
          db,
          sql`r.embedding = ANY(${pgArrayLiteral(chunk.map((v) => formatVectorText(v.embedding)))}::vector[])`,
        );
      }
    } else {
      await this.removeStored(db, sql`r.embedding IN (${source.erasedRowsSql})`);
    }
    const reports: ReferenceErasureReport[] = [];
    for (const version of this.versions) {
      const changed = version.storedRemoved + version.removedMmd.size + version.removedKs.size;
      if (changed === 0) continue;
      reports.push({
        version: version.version,
        storedVectorsRemoved: version.storedRemoved,
        mmdSampleRowsRemoved: version.removedMmd.size,
        ksSampleRowsRemoved: version.removedKs.size,
      });
      const profile = version.profile
        ? withoutRows(version.profile, version.removedMmd, version.removedKs)
        : null;
      await db.execute(
        sql`UPDATE reference_sets SET
              profile = CASE WHEN ${profile !== null} THEN ${JSON.stringify(profile)}::jsonb ELSE profile END,
              erasure = jsonb_build_object(
                'changes', coalesce((erasure ->> 'changes')::int, 0) + 1,
                'lastAt', ${now.toISOString()}::text,
                'storedVectorsRemoved', coalesce((erasure ->> 'storedVectorsRemoved')::int, 0) + ${version.storedRemoved}::int,
                'mmdSampleRowsRemoved', coalesce((erasure ->> 'mmdSampleRowsRemoved')::int, 0) + ${version.removedMmd.size}::int,
                'ksSampleRowsRemoved', coalesce((erasure ->> 'ksSampleRowsRemoved')::int, 0) + ${version.removedKs.size}::int,
                'refitRecommended', true)
            WHERE id = ${version.id}`,
      );
      // Applied: a second apply (the archive pass) starts from the profile just written.
      if (version.profile && profile) {
        version.profile = profile;
        version.removedMmd.clear();
        version.removedKs.clear();
      }
      version.storedRemoved = 0;
    }
    return reports;
  }

  private async removeStored(db: Executor, match: ReturnType<typeof sql>): Promise<void> {
    const removed = await queryRows<{ set_id: number; n: number }>(
      db,
      sql`WITH gone AS (
            DELETE FROM reference_embeddings r USING reference_sets s
            WHERE s.stream_id = ${this.streamId} AND r.reference_set_id = s.id AND ${match}
            RETURNING r.reference_set_id)
          SELECT reference_set_id::int AS set_id, count(*)::int AS n FROM gone GROUP BY 1`,
    );
    for (const { set_id, n } of removed) {
      const version = this.versions.find((v) => v.id === set_id);
      if (version) version.storedRemoved += n;
    }
  }
}

/** Merges several passes' reports per version. */
export function mergeReports(...lists: ReferenceErasureReport[][]): ReferenceErasureReport[] {
  const byVersion = new Map<number, ReferenceErasureReport>();
  for (const report of lists.flat()) {
    const seen = byVersion.get(report.version);
    if (!seen) byVersion.set(report.version, { ...report });
    else {
      seen.storedVectorsRemoved += report.storedVectorsRemoved;
      seen.mmdSampleRowsRemoved += report.mmdSampleRowsRemoved;
      seen.ksSampleRowsRemoved += report.ksSampleRowsRemoved;
    }
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

function withoutRows<P extends ProfileSamples>(profile: P, mmd: Set<number>, ks: Set<number>): P {
  const d = profile.dimension;
  const k = profile.pca.nComponents;
  const keepMmd: number[] = [];
  for (let r = 0; r < profile.mmd.sample.length / d; r++) {
    if (!mmd.has(r)) keepMmd.push(...profile.mmd.sample.slice(r * d, r * d + d));
  }
  const keepKs: number[] = [];
  for (let r = 0; r < profile.ksSample.rows; r++) {
    if (!ks.has(r)) keepKs.push(...profile.ksSample.scores.slice(r * k, r * k + k));
  }
  return {
    ...profile,
    mmd: { ...profile.mmd, sampleSize: keepMmd.length / d, sample: keepMmd },
    ksSample: { rows: keepKs.length / k, scores: keepKs },
  };
}

function parseProfile(value: unknown): ProfileSamples | null {
  const p = value as Partial<ProfileSamples> | null;
  if (!p || typeof p !== "object" || !p.pca || !p.mmd || !p.ksSample || typeof p.dimension !== "number")
    return null;
  return p as ProfileSamples;
}

/** The float32 bytes of a vector: stored vectors and profile samples are float32 values. */
function vectorKey(values: ArrayLike<number>): string {
  return Buffer.from(Float32Array.from(values as ArrayLike<number>).buffer).toString("base64");
}

function scoreKey(score: number): string {
  return score.toPrecision(6);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
