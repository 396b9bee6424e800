/**
 * @module
 * The harm models shipped with Facedrift, one per built-in embedder, written by
 * `npm run bench:who-how` (bench/quality/who-how/) from its measurements — do not edit by hand.
 * An embedder without one gets input findings rated `warning` with no predicted cost.
 */
import type { HarmModel } from "./harm-model.ts";

export const HARM_MODELS: Readonly<Record<string, HarmModel>> = {};
