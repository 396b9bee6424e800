import { check } from "../validate.ts";
import { inSlices, wasmArena } from "./instance.ts";

const SLICE = 65536;

/** WASM `rbfGram` (assembly/rbf-gram.ts): in place on d2, which is returned. */
export function rbfGram(d2: Float64Array, sigmaSq: number): Float64Array {
  check.rbfGram(sigmaSq);
  const arena = wasmArena();
  arena.reset();
  const ptr = arena.copyIn(d2);
  inSlices(d2.length, SLICE, (start, count) => arena.exports.rbfGram(ptr + start * 8, count, sigmaSq));
  d2.set(arena.view(Float64Array, ptr, d2.length));
  return d2;
}
