import { REFERENCE_PROFILE_FORMAT } from "@facedrift/stats";
import { and, eq } from "drizzle-orm";
import type { Database, Db } from "../../db/database.ts";
import type { ReferenceProfileJson } from "../../db/schema/reference-set.ts";
import { referenceSets } from "../../db/schema/reference-set.ts";
import { copyKeyedVectors } from "../../db/vector-copy.ts";
import { FacedriftError } from "../../errors.ts";
import { checkJsonTree, MAX_JSON_DEPTH } from "../../validation/json-tree.ts";
import { createReferenceSet } from "../reference-sets/create.ts";
import type { StreamView } from "../streams/view.ts";
import { parseReferenceProfile } from "./profile-schema.ts";

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

/** A fit keeps at most 200,000 vectors (`max_vectors`); an import may not bring more. */
export const MAX_REFERENCE_VECTORS = 200_000;

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
  // The CLI hands over what JSON.parse made of a file: the text rule and a depth bound first.
  const problem = checkJsonTree(file, { maxDepth: MAX_JSON_DEPTH });
  if (problem) throw invalid(`${problem.path || "the file"}: ${problem.message}`, problem.path || "format");
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
  if (f.profile === null || typeof f.profile !== "object" || f.profile.format !== REFERENCE_PROFILE_FORMAT) {
    throw invalid(`profile must be a ${REFERENCE_PROFILE_FORMAT} profile`, "profile.format");
  }
  const profile = parseReferenceProfile(f.profile, stream.dimension) as unknown as ReferenceProfileJson;
  const vectors = decodeVectors(f.vectors, stream.dimension);
  const knnThreshold = f.knnThreshold ?? undefined;
  if (knnThreshold !== undefined && !(typeof knnThreshold === "number" && Number.isFinite(knnThreshold))) {
    throw invalid("knnThreshold must be a finite number or null", "knnThreshold");
  }
  const description = options.description ?? f.description ?? undefined;
  if (description !== undefined && (typeof description !== "string" || description.length > 1000)) {
    throw invalid("description must be a string of at most 1,000 characters", "description");
  }
  for (const key of ["params", "calibration"] as const) {
    const value = f[key];
    if (value !== undefined && value !== null && (typeof value !== "object" || Array.isArray(value))) {
      throw invalid(`${key} must be an object`, key);
    }
  }
  return createReferenceSet(database.db as Db, {
    streamId: stream.id,
    vectors,
    params: { ...(f.params ?? {}), importedFrom: { version: f.sourceVersion, createdAt: f.createdAt } },
    profile,
    calibration: f.calibration ?? undefined,
    knnThreshold,
    description,
    activate: options.activate,
  });
}

function decodeVectors(vectors: ReferenceFile["vectors"] | undefined, dimension: number): Float32Array[] {
  if (vectors?.encoding !== "f32le-base64" || typeof vectors.data !== "string") {
    throw invalid('vectors must be {count, encoding: "f32le-base64", data}', "vectors");
  }
  const bytes = Buffer.from(vectors.data, "base64");
  const count = vectors.count;
  if (!Number.isInteger(count) || count < 1 || count > MAX_REFERENCE_VECTORS) {
    throw invalid(`vectors.count must be 1 to ${MAX_REFERENCE_VECTORS}`, "vectors.count");
  }
  if (bytes.length !== count * dimension * 4) {
    throw invalid(`vectors.data must hold count × ${dimension} float32 values`, "vectors.data");
  }
  const all = new Float32Array(count * dimension);
  new Uint8Array(all.buffer).set(bytes);
  for (const v of all) {
    if (!Number.isFinite(v)) throw invalid("vectors.data holds a non-finite value", "vectors.data");
  }
  return Array.from({ length: count }, (_, i) => all.subarray(i * dimension, (i + 1) * dimension));
}
