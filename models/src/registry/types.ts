/**
 * @module
 * The shape of a registry entry: everything a host needs to fetch, verify and run one model.
 */
import type { FivePoints } from "../pipeline/image.ts";
import type { InputEncoding } from "../pipeline/tensor.ts";
import type { Derivation } from "./derive.ts";

/** How the files are stored, which decides the engine that can run them. */
export type ModelFormat = "onnx" | "tfjs-graph" | "faceapi-weights";

/** The stage a model serves. */
export type ModelRole = "detector" | "landmarker" | "embedder";

/** One file of a model, addressed inside its npm package (or beside a user manifest). */
export interface ModelFile {
  readonly path: string;
  /** Lower-case hex SHA-256 of the exact bytes. */
  readonly sha256: string;
}

/** The licence as read from the package, plus what is known about the weights themselves. */
export interface Licence {
  /** SPDX id of the npm package that ships the files. */
  readonly package: string;
  /** Where the weights come from and any terms beyond the package licence. */
  readonly weights: string;
}

/** A model the pipeline can run. */
export interface ModelEntry {
  readonly id: string;
  readonly version: string;
  readonly role: ModelRole;
  readonly format: ModelFormat;
  /** npm package holding the files, or `null` for a user-supplied model. */
  readonly package: string | null;
  /** The files; the first is the entry point (the `.onnx`, `model.json` or weights manifest). */
  readonly files: readonly ModelFile[];
  readonly input: { readonly width: number; readonly height: number; readonly encoding: InputEncoding };
  /** Output tensor to read and its length (the embedding dimension for embedders). */
  readonly output: { readonly name: string; readonly dimension: number };
  /** Embedders: where the five facial points sit in the input crop. */
  readonly template?: FivePoints;
  /** `faceapi-weights` only: the face-api network class the weights belong to. */
  readonly faceApiNet?: "FaceRecognitionNet" | "FaceLandmark68Net" | "TinyFaceDetector" | "SsdMobilenetv1";
  readonly licence: Licence;
  /** Set when the entry is catalogued but no pipeline stage runs it yet. */
  readonly notWired?: string;
  /**
   * Set on an entry made from another's file (`derive.ts`): `files[0]` is then the source file's
   * path with the derived bytes' SHA-256; the source bytes are checked against `sourceSha256`
   * first. `models/scripts/derive-models.ts` makes the files and prints their hashes.
   */
  readonly derived?: {
    readonly from: string;
    readonly sourceSha256: string;
    readonly derivation: Derivation;
    /** How the bytes were derived, in words. */
    readonly provenance: string;
  };
}
