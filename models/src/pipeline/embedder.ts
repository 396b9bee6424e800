/**
 * @module
 * The one generic embedder: every registry embedder differs only in crop, encoding and output
 * name, all of which the entry states.
 */
import type { ModelSession } from "../engine/types.ts";
import type { Embedder } from "./stages.ts";
import { imageToTensor } from "./tensor.ts";

/** Wraps a loaded embedder session; the result is the raw output (the pipeline normalises it and keeps its norm). */
export function createEmbedder(session: ModelSession): Embedder {
  const { entry } = session;
  if (!entry.template) throw new RangeError(`${entry.id}: an embedder entry needs a template`);
  return {
    id: entry.id,
    runsOn: session.runsOn,
    dimension: entry.output.dimension,
    crop: { width: entry.input.width, height: entry.input.height, template: entry.template },
    async embed(crop) {
      const outputs = await session.run(imageToTensor(crop, entry.input.encoding));
      const output = outputs.get(entry.output.name);
      if (!output || output.data.length !== entry.output.dimension) {
        throw new RangeError(`${entry.id}: output '${entry.output.name}' missing or of the wrong length`);
      }
      return Float32Array.from(output.data);
    },
  };
}
