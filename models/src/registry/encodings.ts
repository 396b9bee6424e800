/**
 * @module
 * Input encodings shared by several registry entries.
 */
import type { InputEncoding } from "../pipeline/tensor.ts";

/** NCHW RGB scaled to about [−1, 1] with (x − 127) / 128, as faceplugin's own preprocessing does. */
export const RGB_127_128: InputEncoding = {
  layout: "nchw",
  channels: "rgb",
  mean: [127, 127, 127],
  std: [128, 128, 128],
};
/** face-api and human graph models take NHWC pixels; face-api subtracts its own mean RGB inside the net. */
export const RGB_RAW_NHWC: InputEncoding = {
  layout: "nhwc",
  channels: "rgb",
  mean: [0, 0, 0],
  std: [1, 1, 1],
};
