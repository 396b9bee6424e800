import { check } from "../validate.ts";
import { inSlices, wasmArena } from "./instance.ts";

/** Values per call, streamed through one buffer: 65536 f64 = 512 KB. */
const SLICE = 65536;

/** WASM `histogram` (assembly/histogram.ts): SIMD edge count for ≤ 32 edges, else binary search. */
export function histogram(values: Float64Array, interiorEdges: Float64Array): Int32Array {
  check.histogram(values, interiorEdges);
  const m = interiorEdges.length;
  const arena = wasmArena();
  arena.reset();
  const slicePtr = arena.alloc(Math.min(values.length, SLICE) * 8);
  const edgesPtr = arena.copyIn(interiorEdges);
  const countsPtr = arena.zeroed((m + 1) * 4);
  inSlices(values.length, SLICE, (start, count) => {
    arena.write(slicePtr, values.subarray(start, start + count));
    arena.exports.histogram(slicePtr, count, edgesPtr, m, countsPtr);
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
  const sliceRows = Math.ceil(SLICE / Math.max(k, 1));
  const slicePtr = arena.alloc(Math.min(n, sliceRows) * k * 8);
  const edgesPtr = arena.copyIn(interiorEdges);
  const countsPtr = arena.zeroed(k * (m + 1) * 4);
  inSlices(n, sliceRows, (row, rows) => {
    arena.write(slicePtr, values.subarray(row * k, (row + rows) * k));
    arena.exports.histogramColumns(slicePtr, rows, k, edgesPtr, m, countsPtr);
  });
  return arena.view(Int32Array, countsPtr, k * (m + 1)).slice();
}
