/**
 * @module
 * The model registry: built-in entries, user manifests and file verification.
 */
export * from "./catalog.ts";
export * from "./custom.ts";
export * from "./templates.ts";
export type * from "./types.ts";
export * from "./verify.ts";
