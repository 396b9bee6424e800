/**
 * @module
 * Detector stage over faceplugin's `fr_detect` (RFB-320 style SSD). The ONNX graph already decodes
 * its priors: `boxes` holds corner coordinates relative to the 320×240 input and `scores` holds
 * [background, face] probabilities, so only thresholding and NMS remain (as in the package's
 * own `fr_detect.js`, whose thresholds are the defaults here).
 */
import type { ModelSession } from "../engine/types.ts";
import type { RgbaImage } from "../pipeline/image.ts";
import { nonMaxSuppression } from "../pipeline/nms.ts";
import type { Detection, Detector } from "../pipeline/stages.ts";
import { imageToTensor, stackTensors, type TensorData, unstackData } from "../pipeline/tensor.ts";
import { resize } from "../pipeline/warp.ts";

/** Tuning of {@link createFacepluginDetector}. */
export interface DetectorOptions {
  /** Minimum face probability; the package uses 0.65. */
  readonly scoreThreshold?: number;
  /** IoU above which the weaker of two boxes is dropped; the package uses 0.4. */
  readonly nmsThreshold?: number;
}

/** Wraps a loaded `faceplugin-detect` session. */
export function createFacepluginDetector(session: ModelSession, options: DetectorOptions = {}): Detector {
  const { entry } = session;
  const scoreThreshold = options.scoreThreshold ?? 0.65;
  const nmsThreshold = options.nmsThreshold ?? 0.4;
  const decode = (image: RgbaImage, scores: Float32Array, boxes: Float32Array): Detection[] => {
    const found: Detection[] = [];
    for (let i = 0; i * 4 < boxes.length; i++) {
      const score = scores[i * 2 + 1] ?? 0;
      if (score < scoreThreshold) continue;
      const x1 = (boxes[i * 4] ?? 0) * image.width;
      const y1 = (boxes[i * 4 + 1] ?? 0) * image.height;
      const x2 = (boxes[i * 4 + 2] ?? 0) * image.width;
      const y2 = (boxes[i * 4 + 3] ?? 0) * image.height;
      if (x2 > x1 && y2 > y1) found.push({ box: { x: x1, y: y1, width: x2 - x1, height: y2 - y1 }, score });
    }
    return nonMaxSuppression(found, nmsThreshold);
  };
  const run = async (images: readonly RgbaImage[]): Promise<Detection[][]> => {
    const inputs = images.map((image) =>
      imageToTensor(resize(image, entry.input.width, entry.input.height), entry.input.encoding),
    );
    const outputs = await session.run(inputs.length === 1 ? (inputs[0] as TensorData) : stackTensors(inputs));
    const scores = outputs.get("scores")?.data;
    const boxes = outputs.get("boxes")?.data;
    if (!scores || !boxes) throw new RangeError(`${entry.id}: expected 'scores' and 'boxes' outputs`);
    const perScores = unstackData(scores, images.length);
    const perBoxes = unstackData(boxes, images.length);
    return images.map((image, i) => decode(image, perScores[i] as Float32Array, perBoxes[i] as Float32Array));
  };
  return {
    id: entry.id,
    runsOn: session.runsOn,
    async detect(image: RgbaImage) {
      return (await run([image]))[0] ?? [];
    },
    // Only a session whose batch dimension is free takes several images at once.
    ...(session.inputDims?.[0] === -1 ? { detectBatch: run } : {}),
  };
}
