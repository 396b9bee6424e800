import { check } from "../validate.ts";
import { inSlices, wasmArena } from "./instance.ts";

/** Values per call. */
const SLICE = 65536;

/** WASM `histogram` (assembly/histogram.ts): SIMD edge count for ≤ 32 edges, else binary search. */
export function histogram(values: Float64Array, interiorEdges: Float64Array): Int32Array {
  check.histogram(values, interiorEdges);
  const m = interiorEdges.length;
  const arena = wasmArena();
  arena.reset();
  const valuesPtr = arena.copyIn(values);
  const edgesPtr = arena.copyIn(interiorEdges);
  const countsPtr = arena.zeroed((m + 1) * 4);
  inSlices(values.length, SLICE, (start, count) => {
    arena.exports.histogram(valuesPtr + start * 8, count, edgesPtr, m, countsPtr);
  });
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
  const countsPtr = arena.zeroed(k * (m + 1) * 4);
  inSlices(n, Math.ceil(SLICE / Math.max(k, 1)), (row, rows) => {
    arena.exports.histogramColumns(valuesPtr + row * k * 8, rows, k, edgesPtr, m, countsPtr);
  });
  return arena.view(Int32Array, countsPtr, k * (m + 1)).slice();
}
