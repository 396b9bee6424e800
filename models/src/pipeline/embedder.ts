/**
 * @module
 * The one generic embedder: every registry embedder differs only in crop, encoding and output
 * name, all of which the entry states.
 */
import type { ModelSession } from "../engine/types.ts";
import type { RgbaImage } from "./image.ts";
import type { Embedder } from "./stages.ts";
import { imageToTensor, stackTensors, type TensorData, unstackData } from "./tensor.ts";

/** Wraps a loaded embedder session; the result is the raw output (the pipeline normalises it and keeps its norm). */
export function createEmbedder(session: ModelSession): Embedder {
  const { entry } = session;
  if (!entry.template) throw new RangeError(`${entry.id}: an embedder entry needs a template`);
  const run = async (crops: readonly RgbaImage[]): Promise<Float32Array[]> => {
    const inputs = crops.map((crop) => imageToTensor(crop, entry.input.encoding));
    const outputs = await session.run(inputs.length === 1 ? (inputs[0] as TensorData) : stackTensors(inputs));
    const output = outputs.get(entry.output.name);
    if (!output || output.data.length !== entry.output.dimension * crops.length) {
      throw new RangeError(`${entry.id}: output '${entry.output.name}' missing or of the wrong length`);
    }
    return unstackData(output.data, crops.length).map((vector) => Float32Array.from(vector));
  };
  return {
    id: entry.id,
    runsOn: session.runsOn,
    dimension: entry.output.dimension,
    crop: { width: entry.input.width, height: entry.input.height, template: entry.template },
    async embed(crop) {
      return (await run([crop]))[0] as Float32Array;
    },
    ...(session.inputDims?.[0] === -1 ? { embedBatch: run } : {}),
  };
}
