/**
 * @module
 * The API's response and request shapes, by their OpenAPI names: aliases into the types
 * generated from the server's routes (`openapi.ts`, `npm run api:types`), so a page that reads a
 * field the server does not send fails `svelte-check` instead of rendering nothing.
 */
import type { components } from "./openapi.ts";

export type Schema<Name extends keyof components["schemas"]> = components["schemas"][Name];
