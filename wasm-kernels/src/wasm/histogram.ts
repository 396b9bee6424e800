import { check } from "../validate.ts";
import { wasmArena } from "./instance.ts";

/** WASM `histogram` (assembly/histogram.ts): SIMD edge count for ≤ 32 edges, else binary search. */
export function histogram(values: Float64Array, interiorEdges: Float64Array): Int32Array {
  check.histogram(values, interiorEdges);
  const m = interiorEdges.length;
  const arena = wasmArena();
  arena.reset();
  const valuesPtr = arena.copyIn(values);
  const edgesPtr = arena.copyIn(interiorEdges);
  const countsPtr = arena.alloc((m + 1) * 4);
  arena.exports.histogram(valuesPtr, values.length, edgesPtr, m, countsPtr);
  return arena.view(Int32Array, countsPtr, m + 1).slice();
}

/** WASM `histogramColumns`: one pass over the n×k values, k histograms. */
export function histogramColumns(
  values: Float64Array,
  n: number,
  k: number,
  interiorEdges: Float64Array,
  m: number,
): Int32Array {
  check.histogramColumns(values, n, k, interiorEdges, m);
  const arena = wasmArena();
  arena.reset();
  const valuesPtr = arena.copyIn(values);
  const edgesPtr = arena.copyIn(interiorEdges);
  const countsPtr = arena.alloc(k * (m + 1) * 4);
  arena.exports.histogramColumns(valuesPtr, n, k, edgesPtr, m, countsPtr);
  return arena.view(Int32Array, countsPtr, k * (m + 1)).slice();
}
