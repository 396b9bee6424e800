/**
 * @module
 * Pipeline faults: changes a deployment makes to what the embedder is fed, not to the photo —
 * an aligner that places the template at the wrong scale, or input normalisation constants that
 * are not the model's. The detector and landmarker see the clean photo; only the embedder stage
 * is wrapped.
 */
import { type Embedder, placeTemplate } from "@facedrift/models";
import type { ShiftParams } from "./shifts.ts";

/** `embedder` as the faulty pipeline runs it; any other shift leaves it as it is. */
export function shiftEmbedder(embedder: Embedder, params: ShiftParams): Embedder {
  switch (params.kind) {
    case "crop-scale": {
      const { width, height, template } = embedder.crop;
      // Zoom about the crop centre: < 1 leaves more background around a smaller face.
      return {
        ...embedder,
        crop: { width, height, template: placeTemplate(template, width, width, params.zoom) },
      };
    }
    case "normalisation": {
      const { a, b } = params;
      return {
        ...embedder,
        embed: (crop) => {
          const data = new Uint8ClampedArray(crop.data.length);
          for (let i = 0; i < data.length; i++) {
            const c = i % 4;
            data[i] =
              c === 3
                ? (crop.data[i] as number)
                : (a[c] as number) * (crop.data[i] as number) + (b[c] as number);
          }
          return embedder.embed({ ...crop, data });
        },
      };
    }
    default:
      return embedder;
  }
}
