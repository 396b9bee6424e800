/**
 * @module
 * Checks a loaded embedder against its registry entry before first use. This is what makes a
 * user-supplied ONNX file safe to plug in: a wrong input size or output length fails here, with a
 * message naming the mismatch, instead of producing quietly meaningless embeddings.
 */
import { ModelError } from "../errors.ts";
import type { ModelSession } from "./types.ts";

/** Throws `model-shape-mismatch` unless the session takes the declared input and yields the declared output. */
export async function checkEmbedderSession(session: ModelSession): Promise<void> {
  const { entry } = session;
  const { width, height, encoding } = entry.input;
  const channels = encoding.channels === "gray" ? 1 : 3;
  const expected = encoding.layout === "nchw" ? [1, channels, height, width] : [1, height, width, channels];
  const declared = session.inputDims;
  if (declared) {
    const fits = declared.length === 4 && declared.every((d, i) => d === -1 || d === expected[i]);
    if (!fits) {
      throw new ModelError(
        "model-shape-mismatch",
        `${entry.id}: the model takes [${declared.join(", ")}], the manifest says [${expected.join(", ")}]`,
      );
    }
  }
  const probe = { data: new Float32Array(expected.reduce((a, b) => a * b, 1)), dims: expected };
  const outputs = await session.run(probe);
  const output = outputs.get(entry.output.name);
  if (!output) {
    const names = [...outputs.keys()].join(", ");
    throw new ModelError(
      "model-shape-mismatch",
      `${entry.id}: no output '${entry.output.name}' (has: ${names})`,
    );
  }
  if (output.data.length !== entry.output.dimension) {
    throw new ModelError(
      "model-shape-mismatch",
      `${entry.id}: output '${entry.output.name}' has ${output.data.length} values, the manifest says ${entry.output.dimension}`,
    );
  }
}
