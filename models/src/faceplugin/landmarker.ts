/**
 * @module
 * Landmark stage over faceplugin's `fr_landmark`: a square grey 64×64 crop around the detector box
 * gives 68 points (iBUG 300-W order) relative to the crop, reduced to the five ArcFace points the
 * same way the package's `convert68pts5pts` does.
 */
import type { ModelSession } from "../engine/types.ts";
import type { FivePoints, Point, RgbaImage } from "../pipeline/image.ts";
import type { Detection, Landmarker } from "../pipeline/stages.ts";
import { imageToTensor, stackTensors, type TensorData, unstackData } from "../pipeline/tensor.ts";
import { warpAffine } from "../pipeline/warp.ts";

/** Wraps a loaded `faceplugin-landmark68` session. */
export function createFacepluginLandmarker(session: ModelSession): Landmarker {
  const { entry } = session;
  const size = entry.input.width;
  const run = async (faces: ReadonlyArray<{ image: RgbaImage; face: Detection }>): Promise<FivePoints[]> => {
    // The package squares the box on its height, centred; the network was trained on such crops.
    const frames = faces.map(({ image, face }) => {
      const side = face.box.height;
      const left = face.box.x + face.box.width / 2 - side / 2;
      const top = face.box.y;
      const scale = size / side;
      const crop = warpAffine(image, [scale, 0, -left * scale, 0, scale, -top * scale], size, size);
      return { side, left, top, input: imageToTensor(crop, entry.input.encoding) };
    });
    const inputs = frames.map((frame) => frame.input);
    const outputs = await session.run(inputs.length === 1 ? (inputs[0] as TensorData) : stackTensors(inputs));
    const raw = outputs.get(entry.output.name)?.data;
    if (raw?.length !== 136 * faces.length)
      throw new RangeError(`${entry.id}: expected 136 landmark values per face`);
    return unstackData(raw, faces.length).map((points, i) => {
      const { side, left, top } = frames[i] as (typeof frames)[number];
      const at = (k: number): Point => [
        left + (points[2 * k] ?? 0) * side,
        top + (points[2 * k + 1] ?? 0) * side,
      ];
      return fivePointsFrom68(at);
    });
  };
  return {
    id: entry.id,
    runsOn: session.runsOn,
    async locate(image: RgbaImage, face: Detection) {
      return (await run([{ image, face }]))[0] as FivePoints;
    },
    ...(session.inputDims?.[0] === -1 ? { locateBatch: run } : {}),
  };
}

/** Eye centres from the four eyelid points, nose tip, and mouth corners averaged over outer and inner lips. */
export function fivePointsFrom68(at: (index: number) => Point): FivePoints {
  const mean = (...indices: number[]): Point => {
    const points = indices.map(at);
    return [
      points.reduce((s, p) => s + p[0], 0) / points.length,
      points.reduce((s, p) => s + p[1], 0) / points.length,
    ];
  };
  return [mean(37, 38, 40, 41), mean(43, 44, 46, 47), at(30), mean(48, 60), mean(54, 64)];
}
