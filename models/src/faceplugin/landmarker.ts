/**
 * @module
 * Landmark stage over faceplugin's `fr_landmark`: a square grey 64×64 crop around the detector box
 * gives 68 points (iBUG 300-W order) relative to the crop, reduced to the five ArcFace points the
 * same way the package's `convert68pts5pts` does.
 */
import type { ModelSession } from "../engine/types.ts";
import type { FivePoints, Point, RgbaImage } from "../pipeline/image.ts";
import type { Detection, Landmarker } from "../pipeline/stages.ts";
import { imageToTensor } from "../pipeline/tensor.ts";
import { warpAffine } from "../pipeline/warp.ts";

/** Wraps a loaded `faceplugin-landmark68` session. */
export function createFacepluginLandmarker(session: ModelSession): Landmarker {
  const { entry } = session;
  const size = entry.input.width;
  return {
    id: entry.id,
    runsOn: session.runsOn,
    async locate(image: RgbaImage, face: Detection) {
      // The package squares the box on its height, centred; the network was trained on such crops.
      const side = face.box.height;
      const left = face.box.x + face.box.width / 2 - side / 2;
      const top = face.box.y;
      const scale = size / side;
      const crop = warpAffine(image, [scale, 0, -left * scale, 0, scale, -top * scale], size, size);
      const outputs = await session.run(imageToTensor(crop, entry.input.encoding));
      const raw = outputs.get(entry.output.name)?.data;
      if (raw?.length !== 136) throw new RangeError(`${entry.id}: expected 136 landmark values`);
      const at = (i: number): Point => [left + (raw[2 * i] ?? 0) * side, top + (raw[2 * i + 1] ?? 0) * side];
      return fivePointsFrom68(at);
    },
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
