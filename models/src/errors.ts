/**
 * @module
 * The one error class of the models package. The code is a closed list so callers (the CLI, the
 * worker protocol, the HTTP edge) can map it without parsing messages.
 */

/** What went wrong, as a closed list. */
export type ModelErrorCode =
  | "checksum-mismatch"
  | "invalid-manifest"
  | "invalid-pairs"
  | "model-shape-mismatch"
  | "unsupported-format"
  | "no-face";

/** An error of the face pipeline or the model registry. */
export class ModelError extends Error {
  override readonly name = "ModelError";
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
