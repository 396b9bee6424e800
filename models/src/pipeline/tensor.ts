/**
 * @module
 * Turns an RGBA image into the float input a model expects. The layout and normalisation come from
 * the model's registry entry, so no stage hard-codes a model's preprocessing.
 */
import type { RgbaImage } from "./image.ts";

/** A dense float tensor: row-major data and its dimensions. */
export interface TensorData {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** How pixels become model input: `value = (pixel − mean[c]) / std[c]`, channels in `channels` order. */
export interface InputEncoding {
  readonly layout: "nchw" | "nhwc";
  readonly channels: "rgb" | "bgr" | "gray";
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

const ORDER = { rgb: [0, 1, 2], bgr: [2, 1, 0] } as const;

/** Encodes `image` as a batch of one. */
export function imageToTensor(image: RgbaImage, encoding: InputEncoding): TensorData {
  const { width: w, height: h, data } = image;
  const plane = w * h;
  const count = encoding.channels === "gray" ? 1 : 3;
  const out = new Float32Array(plane * count);
  for (let i = 0; i < plane; i++) {
    const p = i * 4;
    for (let c = 0; c < count; c++) {
      const raw =
        encoding.channels === "gray"
          ? 0.299 * (data[p] ?? 0) + 0.587 * (data[p + 1] ?? 0) + 0.114 * (data[p + 2] ?? 0)
          : (data[p + ORDER[encoding.channels][c as 0 | 1 | 2]] ?? 0);
      const value = (raw - (encoding.mean[c] ?? 0)) / (encoding.std[c] ?? 1);
      out[encoding.layout === "nchw" ? c * plane + i : i * count + c] = value;
    }
  }
  const dims = encoding.layout === "nchw" ? [1, count, h, w] : [1, h, w, count];
  return { data: out, dims };
}

/** Euclidean length of `vector`. */
export function vectorNorm(vector: Float32Array): number {
  let sum = 0;
  for (const v of vector) sum += v * v;
  return Math.sqrt(sum);
}

/** Scales `vector` to unit Euclidean length (cosine similarity becomes a dot product). */
export function l2Normalize(vector: Float32Array): Float32Array {
  const norm = vectorNorm(vector);
  if (norm === 0 || !Number.isFinite(norm))
    throw new RangeError("l2Normalize: the vector has no finite direction");
  return vector.map((v) => v / norm);
}

/** Cosine similarity of two vectors of equal length. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length)
    throw new RangeError(`cosineSimilarity: lengths ${a.length} and ${b.length} differ`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}

/** Stacks same-shaped `[1, …]` tensors into one `[n, …]` batch. */
export function stackTensors(tensors: readonly TensorData[]): TensorData {
  const first = tensors[0];
  if (!first) throw new RangeError("stackTensors: no tensors");
  const size = first.data.length;
  const data = new Float32Array(size * tensors.length);
  tensors.forEach((tensor, i) => {
    if (tensor.data.length !== size) throw new RangeError("stackTensors: tensors differ in size");
    data.set(tensor.data, i * size);
  });
  return { data, dims: [tensors.length, ...first.dims.slice(1)] };
}

/** Splits a batch output's data into its `n` items (each `length / n` values). */
export function unstackData(data: Float32Array, n: number): Float32Array[] {
  if (n <= 0 || data.length % n !== 0)
    throw new RangeError(`unstackData: ${data.length} values do not split into ${n}`);
  const size = data.length / n;
  return Array.from({ length: n }, (_, i) => data.subarray(i * size, (i + 1) * size));
}
