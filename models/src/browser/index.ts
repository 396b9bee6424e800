/**
 * @module
 * The browser / worker host adapter: engines and a fetch-based file source. Images arrive as
 * `ImageData` (already RGBA), so no decoder is needed here.
 */
export * from "./engines.ts";
export * from "./files.ts";
