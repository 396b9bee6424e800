/**
 * @module
 * The `Engine` contract: a runtime that loads verified model bytes and runs a tensor through them.
 * Two implementations, `onnx.ts` (onnxruntime-web) and `tfjs.ts` (TensorFlow.js); stages never
 * import a runtime directly, so a model can move between runtimes without touching the pipeline.
 */
import { ModelError } from "../errors.ts";
import type { TensorData } from "../pipeline/tensor.ts";
import type { ModelEntry, ModelFormat } from "../registry/types.ts";
import type { VerifiedFiles } from "../registry/verify.ts";

/** The inference library behind an engine. */
export type Runtime = "onnxruntime-web" | "tfjs";

/** Where the kernels run. */
export type Backend = "webgpu" | "wasm";

/** A loaded model. */
export interface ModelSession {
  readonly entry: ModelEntry;
  /** Where it runs, `runtime/backend`, e.g. `onnxruntime-web/webgpu`: what a status line should show. */
  readonly runsOn: string;
  /** Declared input dimensions when the file states them (`-1` for a free one), else `null`. */
  readonly inputDims: readonly number[] | null;
  /** Runs one input tensor and returns every output by name. */
  run(input: TensorData): Promise<ReadonlyMap<string, TensorData>>;
  dispose(): Promise<void>;
}

/** A runtime with a chosen backend. */
export interface Engine {
  readonly runtime: Runtime;
  readonly backend: Backend;
  /** WebGPU only: the adapter the engine's device came from (`describeAdapter`). */
  readonly adapter?: string;
  supports(format: ModelFormat): boolean;
  load(entry: ModelEntry, files: VerifiedFiles): Promise<ModelSession>;
}

/** The first engine that runs `entry`'s format; throws `unsupported-format` when none does. */
export function engineFor(engines: readonly Engine[], entry: ModelEntry): Engine {
  const engine = engines.find((candidate) => candidate.supports(entry.format));
  if (!engine)
    throw new ModelError("unsupported-format", `${entry.id}: no engine runs the '${entry.format}' format`);
  return engine;
}
