import { REFERENCE_PROFILE_FORMAT } from "@facedrift/stats";
import { and, eq } from "drizzle-orm";
import type { Database, Db } from "../../db/database.ts";
import type { ReferenceProfileJson } from "../../db/schema/reference-set.ts";
import { referenceSets } from "../../db/schema/reference-set.ts";
import { copyKeyedVectors } from "../../db/vector-copy.ts";
import { FacedriftError } from "../../errors.ts";
import { createReferenceSet } from "../reference-sets/create.ts";
import type { StreamView } from "../streams/view.ts";

/**
 * A reference version as one self-contained JSON file, so it can be versioned with the model it
 * belongs to: the format tag, the model and dimension it is valid for, the fitted profile, the
 * calibration, the kNN threshold and every stored vector (base64 of little-endian float32, row
 * after row). Importing checks the tag, the model and the dimension before anything is written.
 */
export const REFERENCE_FILE_FORMAT = "facedrift.reference/1";

export interface ReferenceFile {
  format: typeof REFERENCE_FILE_FORMAT;
  model: { id: string; version: string };
  dimension: number;
  /** The version it had where it was exported (informative; import assigns the next one). */
  sourceVersion: number;
  createdAt: string;
  description: string | null;
  params: Record<string, unknown>;
  profile: ReferenceProfileJson;
  calibration: Record<string, unknown> | null;
  knnThreshold: number | null;
  vectors: { count: number; encoding: "f32le-base64"; data: string };
}

export async function exportReference(
  database: Database,
  stream: StreamView,
  version: number,
): Promise<ReferenceFile> {
  const [set] = await database.db
    .select()
    .from(referenceSets)
    .where(and(eq(referenceSets.streamId, stream.id), eq(referenceSets.version, version)));
  if (!set)
    throw new FacedriftError("not_found", `the stream has no reference version ${version}`, {
      field: "version",
    });
  if (!set.profile) {
    throw new FacedriftError("conflict", `reference version ${version} has no fitted profile to export`, {
      field: "version",
    });
  }
  const data = await copyKeyedVectors(
    database,
    `SELECT id, embedding FROM reference_embeddings WHERE reference_set_id = ${Math.trunc(set.id)} ORDER BY id`,
    set.dimension,
  );
  const bytes = Buffer.from(data.x.buffer, data.x.byteOffset, data.x.byteLength);
  return {
    format: REFERENCE_FILE_FORMAT,
    model: { id: set.modelId, version: set.modelVersion },
    dimension: set.dimension,
    sourceVersion: set.version,
    createdAt: new Date(set.createdAt).toISOString(),
    description: set.description,
    params: set.params,
    profile: set.profile,
    calibration: set.calibration ?? null,
    knnThreshold: set.knnThreshold,
    vectors: { count: data.n, encoding: "f32le-base64", data: bytes.toString("base64") },
  };
}

const invalid = (message: string, field: string) => new FacedriftError("invalid_request", message, { field });

/**
 * Stores an exported reference as the stream's next version (active unless `activate` is false).
 * Refuses a file of another format, another model or another dimension with a message naming both.
 */
export async function importReference(
  database: Database,
  stream: StreamView,
  file: unknown,
  options: { activate?: boolean; description?: string } = {},
): Promise<{ id: number; version: number }> {
  const f = file as Partial<ReferenceFile> | null;
  if (!f || typeof f !== "object" || f.format !== REFERENCE_FILE_FORMAT) {
    throw invalid(`not a reference file: format must be "${REFERENCE_FILE_FORMAT}"`, "format");
  }
  if (typeof f.model?.id !== "string" || typeof f.model?.version !== "string") {
    throw invalid("model must be {id, version}", "model");
  }
  if (f.model.id !== stream.model.id || f.model.version !== stream.model.version) {
    throw new FacedriftError(
      "conflict",
      `this reference was made for model ${f.model.id}@${f.model.version}, but stream "${stream.name}" ` +
        `holds ${stream.model.id}@${stream.model.version}; import it into a stream of that model`,
      { field: "model" },
    );
  }
  if (f.dimension !== stream.dimension) {
    throw invalid(`the file is ${f.dimension}-D, the stream ${stream.dimension}-D`, "dimension");
  }
  const profile = f.profile;
  if (!profile || profile.format !== REFERENCE_PROFILE_FORMAT || profile.dimension !== stream.dimension) {
    throw invalid(
      `profile must be a ${REFERENCE_PROFILE_FORMAT} profile of dimension ${stream.dimension}`,
      "profile",
    );
  }
  const vectors = decodeVectors(f.vectors, stream.dimension);
  const knnThreshold = f.knnThreshold ?? undefined;
  if (knnThreshold !== undefined && !Number.isFinite(knnThreshold)) {
    throw invalid("knnThreshold must be a number or null", "knnThreshold");
  }
  return createReferenceSet(database.db as Db, {
    streamId: stream.id,
    vectors,
    params: { ...(f.params ?? {}), importedFrom: { version: f.sourceVersion, createdAt: f.createdAt } },
    profile,
    calibration: f.calibration ?? undefined,
    knnThreshold,
    description: options.description ?? f.description ?? undefined,
    activate: options.activate,
  });
}

function decodeVectors(vectors: ReferenceFile["vectors"] | undefined, dimension: number): Float32Array[] {
  if (vectors?.encoding !== "f32le-base64" || typeof vectors.data !== "string") {
    throw invalid('vectors must be {count, encoding: "f32le-base64", data}', "vectors");
  }
  const bytes = Buffer.from(vectors.data, "base64");
  const count = vectors.count;
  if (!Number.isInteger(count) || count < 1 || bytes.length !== count * dimension * 4) {
    throw invalid(`vectors.data must hold count × ${dimension} float32 values`, "vectors.data");
  }
  const all = new Float32Array(count * dimension);
  new Uint8Array(all.buffer).set(bytes);
  for (const v of all) {
    if (!Number.isFinite(v)) throw invalid("vectors.data holds a non-finite value", "vectors.data");
  }
  return Array.from({ length: count }, (_, i) => all.subarray(i * dimension, (i + 1) * dimension));
}
