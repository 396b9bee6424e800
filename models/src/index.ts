/**
 * @module
 * `@facedrift/models`: the model registry and the host-agnostic face pipeline. Host adapters live
 * outside this entry point (`./node/` for Node); the browser worker brings its own.
 */
export * from "./engine/check.ts";
export * from "./engine/onnx.ts";
export * from "./engine/tfjs.ts";
export * from "./engine/types.ts";
export * from "./engine/webgpu.ts";
export * from "./errors.ts";
export * from "./load.ts";
export * from "./pipeline/embedder.ts";
export * from "./pipeline/image.ts";
export * from "./pipeline/pipeline.ts";
export * from "./pipeline/quality.ts";
export * from "./pipeline/similarity.ts";
export type * from "./pipeline/stages.ts";
export * from "./pipeline/tensor.ts";
export * from "./pipeline/warp.ts";
export * from "./registry/index.ts";
export * from "./sampling.ts";
export * from "./verification/pairs.ts";
