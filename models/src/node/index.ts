/**
 * @module
 * The Node host adapter: engines, file source and image decoding.
 */
export * from "./decode.ts";
export * from "./engines.ts";
export * from "./files.ts";
export * from "./pairs.ts";
