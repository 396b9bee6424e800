/** First free byte after the static data: the JS arena starts here and grows memory itself. */
export function heapBase(): usize {
  return __heap_base;
}

/** Byte offset of element i of an f64 array starting at base. */
export function f64At(base: usize, i: i32): usize {
  return base + ((<usize>i) << 3);
}

/** Byte offset of element i of a 4-byte (f32 / i32) array starting at base. */
export function f32At(base: usize, i: i32): usize {
  return base + ((<usize>i) << 2);
}
