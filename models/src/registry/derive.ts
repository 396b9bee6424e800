/**
 * @module
 * Derived models: registry entries whose bytes are made from a shipped file by a deterministic
 * rewrite in this file, then checked against the entry's own SHA-256 like any other file. The
 * only derivation so far gives an ONNX model a symbolic batch dimension (`N`) on every graph
 * input and output, so one session runs a batch of images or faces. The weights and nodes are
 * untouched: only the declared shapes change (a model whose nodes pin the batch, a `Reshape` to
 * `[1, …]` say, would fail at run time for N > 1, which `batch.test.ts` checks for ours).
 *
 * ONNX is protobuf; this edits the wire format directly (ModelProto.graph = 7, GraphProto.input =
 * 11 and output = 12, ValueInfoProto.type = 2, TypeProto.tensor_type = 1, Tensor.shape = 2,
 * TensorShapeProto.dim = 1, Dimension.dim_value = 1 / dim_param = 2), copying every other field
 * byte for byte, so no protobuf library or .proto schema is needed.
 */

/** How a derived entry's bytes are made from its source file. */
export type Derivation = "symbolic-batch";

interface Field {
  readonly number: number;
  readonly wireType: number;
  /** The field's bytes after its tag: the varint, the fixed bytes, or the length-delimited payload. */
  readonly value: Uint8Array;
}

function readVarint(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  let i = at;
  for (;;) {
    const byte = bytes[i];
    if (byte === undefined) throw new RangeError("protobuf: truncated varint");
    value += (byte & 0x7f) * scale;
    i++;
    if ((byte & 0x80) === 0) return [value, i];
    scale *= 128;
  }
}

function writeVarint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function parse(bytes: Uint8Array): Field[] {
  const fields: Field[] = [];
  let at = 0;
  while (at < bytes.length) {
    const [tag, afterTag] = readVarint(bytes, at);
    const number = Math.floor(tag / 8);
    const wireType = tag % 8;
    let end: number;
    let start = afterTag;
    if (wireType === 0) end = readVarint(bytes, afterTag)[1];
    else if (wireType === 1) end = afterTag + 8;
    else if (wireType === 5) end = afterTag + 4;
    else if (wireType === 2) {
      const [length, afterLength] = readVarint(bytes, afterTag);
      start = afterLength;
      end = afterLength + length;
    } else throw new RangeError(`protobuf: wire type ${wireType} is not supported`);
    if (end > bytes.length) throw new RangeError("protobuf: field runs past the end");
    fields.push({ number, wireType, value: bytes.subarray(start, end) });
    at = end;
  }
  return fields;
}

function serialize(fields: readonly Field[]): Uint8Array {
  const parts: number[][] = [];
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (const field of fields) {
    const head = writeVarint(field.number * 8 + field.wireType);
    if (field.wireType === 2) head.push(...writeVarint(field.value.length));
    parts.push(head);
    chunks.push(field.value);
    size += head.length + field.value.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  fields.forEach((_, i) => {
    out.set(parts[i] as number[], at);
    at += (parts[i] as number[]).length;
    out.set(chunks[i] as Uint8Array, at);
    at += (chunks[i] as Uint8Array).length;
  });
  return out;
}

/** Rewrites the length-delimited fields numbered `number` of `bytes` with `edit`. */
function editFields(bytes: Uint8Array, number: number, edit: (value: Uint8Array) => Uint8Array): Uint8Array {
  return serialize(
    parse(bytes).map((field) =>
      field.number === number && field.wireType === 2 ? { ...field, value: edit(field.value) } : field,
    ),
  );
}

const text = new TextEncoder();

/** A `Dimension` whose first occurrence in a shape becomes `dim_param: "N"`. */
function batchShape(shape: Uint8Array): Uint8Array {
  let first = true;
  return editFields(shape, 1, (dimension) => {
    if (!first) return dimension;
    first = false;
    return serialize([{ number: 2, wireType: 2, value: text.encode("N") }]);
  });
}

/** ValueInfoProto → type → tensor_type → shape → first dim. */
const batchValueInfo = (valueInfo: Uint8Array) =>
  editFields(valueInfo, 2, (type) => editFields(type, 1, (tensor) => editFields(tensor, 2, batchShape)));

/** The ONNX model with dimension 0 of every graph input and output made the symbolic `N`. */
export function symbolicBatch(model: Uint8Array): Uint8Array {
  return editFields(model, 7, (graph) =>
    editFields(editFields(graph, 11, batchValueInfo), 12, batchValueInfo),
  );
}

/** Applies `derivation` to the source file's bytes. */
export function derive(derivation: Derivation, source: Uint8Array): Uint8Array {
  switch (derivation) {
    case "symbolic-batch":
      return symbolicBatch(source);
  }
}
