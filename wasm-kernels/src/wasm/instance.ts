// All JS↔WASM plumbing in one place (hash-wasm's WASMInterface.ts): synchronous
// instantiation from the embedded bytes, and a bump arena in linear memory that every call
// resets, so memory only ever grows to the largest single call and nothing leaks.
import { kernelsWasmBase64 } from "../../build/kernels-wasm.ts";

/** The raw exports of build/kernels.wasm (assembly/index.ts); pointers are byte offsets into `memory`. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  project(x: number, n: number, d: number, w: number, k: number, offset: number, out: number): void;
  /**
   * Absent from builds made before it (not in EXPORTS): its glue then computes the same features
   * with `project` and JavaScript cosines rather than refusing every kernel.
   */
  randomFeatures?(
    u: number,
    n: number,
    c: number,
    w: number,
    D: number,
    phases: number,
    scale: number,
    out: number,
  ): void;
  widenRows(z: number, n: number, d: number, scratch: number): void;
  distanceRows(scratch: number, n: number, d: number, i0: number, i1: number, out: number): void;
  rbfGram(d2: number, length: number, sigmaSq: number): void;
  histogram(values: number, n: number, edges: number, m: number, counts: number): void;
  histogramColumns(values: number, n: number, k: number, edges: number, m: number, counts: number): void;
  columnSums(x: number, n: number, d: number, sums: number): void;
  crossProductBlockRows(): number;
  crossProductBlock(x: number, n: number, d: number, mean: number, panels: number, acc: number): void;
  symmetrize(acc: number, d: number, out: number): void;
  groupSumsF64(kernel: number, n: number, labels: number, p: number, masks: number, out: number): void;
  groupSumsF32(
    kernel: number,
    n: number,
    labels: number,
    p: number,
    masks: number,
    out: number,
    shift: number,
  ): void;
  shiftF32(kernel: number, length: number, shift: number): void;
}

/**
 * Calls run(start, count) over [0, total) in slices of `size`. Big jobs go to WebAssembly in
 * slices because V8 runs each function in its baseline compiler until it has optimised it,
 * and (no on-stack replacement for WebAssembly) a call already running never switches: one
 * 50,000-row call would run some 3× slower from start to end.
 */
export function inSlices(total: number, size: number, run: (start: number, count: number) => void): void {
  for (let start = 0; start < total; start += size) run(start, Math.min(size, total - start));
}

const EXPORTS = [
  "memory",
  "heapBase",
  "project",
  "widenRows",
  "distanceRows",
  "rbfGram",
  "histogram",
  "histogramColumns",
  "columnSums",
  "crossProductBlockRows",
  "crossProductBlock",
  "symmetrize",
  "groupSumsF64",
  "groupSumsF32",
  "shiftF32",
] as const satisfies readonly (keyof KernelExports)[];

/**
 * Returns the exports typed, or throws when any is missing: a build older than assembly/
 * would otherwise fail later with "is not a function" somewhere inside a kernel call.
 */
export function checkExports(exports: WebAssembly.Exports): KernelExports {
  const missing = EXPORTS.filter((name) => !(name in exports));
  if (missing.length > 0) {
    throw new Error(
      `wasm-kernels: build/kernels.wasm lacks ${missing.join(", ")}; run npm run build -w wasm-kernels`,
    );
  }
  return exports as unknown as KernelExports;
}

type Typed = Float32Array | Float64Array | Int32Array | Uint8Array;
type TypedConstructor<T extends Typed> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): T };

const PAGE = 65536;

/** A bump allocator over the module's linear memory; `reset()` starts each kernel call. */
export class Arena {
  private top: number;

  constructor(readonly exports: KernelExports) {
    this.top = exports.heapBase();
  }

  /** Releases everything the previous call allocated. */
  reset(): void {
    this.top = this.exports.heapBase();
  }

  /** Reserves `bytes` (16-byte aligned for v128 access), growing memory when needed. */
  alloc(bytes: number): number {
    // Arithmetic, not `& ~15`: pointers may pass 2^31, beyond JavaScript's 32-bit bit operators.
    const ptr = Math.ceil(this.top / 16) * 16;
    const end = ptr + bytes;
    const memory = this.exports.memory;
    if (end > memory.buffer.byteLength) {
      try {
        memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
      } catch (cause) {
        const message = `wasm-kernels: cannot grow memory to ${end} bytes (wasm32 holds at most 4 GiB)`;
        throw new RangeError(message, { cause });
      }
    }
    this.top = end;
    return ptr;
  }

  /** Reserves `bytes` filled with zeros (the arena reuses memory between calls). */
  zeroed(bytes: number): number {
    const ptr = this.alloc(bytes);
    new Uint8Array(this.exports.memory.buffer, ptr, bytes).fill(0);
    return ptr;
  }

  /** Allocates room for `array` and copies it in; returns its pointer. */
  copyIn(array: Typed): number {
    return this.write(this.alloc(array.byteLength), array);
  }

  /**
   * Copies `array` to ptr (already allocated) and returns ptr. Kernels that read their input
   * once stream it through one small slice-sized buffer this way: the copy stays in cache and
   * memory does not have to grow to the size of the whole input.
   */
  write(ptr: number, array: Typed): number {
    new Uint8Array(this.exports.memory.buffer, ptr, array.byteLength).set(
      new Uint8Array(array.buffer, array.byteOffset, array.byteLength),
    );
    return ptr;
  }

  /**
   * A view of `length` elements at ptr. Views die when memory grows, so take them only after
   * the last alloc of a call.
   */
  view<T extends Typed>(type: TypedConstructor<T>, ptr: number, length: number): T {
    return new type(this.exports.memory.buffer as ArrayBuffer, ptr, length);
  }
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

let arena: Arena | undefined;

/**
 * The one shared instance, created on first use. Synchronous compilation is fine here: the
 * module is a few KB, far below the size browsers refuse to compile on the main thread.
 */
export function wasmArena(): Arena {
  if (!arena) {
    const module = new WebAssembly.Module(decodeBase64(kernelsWasmBase64));
    const instance = new WebAssembly.Instance(module, {});
    arena = new Arena(checkExports(instance.exports));
  }
  return arena;
}
