import { check } from "../validate.ts";
import { wasmArena } from "./instance.ts";

/** WASM `rbfGram` (assembly/rbf-gram.ts): in place on d2, which is returned. */
export function rbfGram(d2: Float64Array, sigmaSq: number): Float64Array {
  check.rbfGram(sigmaSq);
  const arena = wasmArena();
  arena.reset();
  const ptr = arena.copyIn(d2);
  arena.exports.rbfGram(ptr, d2.length, sigmaSq);
  d2.set(arena.view(Float64Array, ptr, d2.length));
  return d2;
}
