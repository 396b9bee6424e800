/**
 * @module
 * A user-supplied ONNX embedder, described by a small JSON manifest next to the `.onnx` file.
 * The manifest is validated here; the model itself is checked against it once loaded
 * (`checkEmbedderSession` in `../engine/check.ts`), before it embeds anything.
 *
 * @example
 * parseEmbedderManifest({
 *   id: "my-arcface", version: "1", file: "arcface.onnx", sha256: "…64 hex…",
 *   input: { width: 112, height: 112, layout: "nchw", channels: "rgb", mean: [127.5], std: [127.5] },
 *   output: { name: "embedding", dimension: 512 }, template: "arcface", licence: "Apache-2.0",
 * });
 */
import { z } from "zod";
import { ModelError } from "../errors.ts";
import type { FivePoints } from "../pipeline/image.ts";
import { scaledArcFace } from "./templates.ts";
import type { ModelEntry } from "./types.ts";

const point = z.tuple([z.number(), z.number()]);
const perChannel = z.array(z.number()).min(1).max(3);

const manifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case letters, digits, '.', '_' or '-'"),
  version: z.string().min(1),
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "64 lower-case hex digits"),
  input: z.object({
    width: z.number().int().min(16).max(1024),
    height: z.number().int().min(16).max(1024),
    layout: z.enum(["nchw", "nhwc"]),
    channels: z.enum(["rgb", "bgr"]),
    mean: perChannel,
    std: perChannel.refine((values) => values.every((v) => v !== 0), "std must not be 0"),
  }),
  output: z.object({ name: z.string().min(1), dimension: z.number().int().min(2).max(8192) }),
  /** "arcface" scales the ArcFace template to the input size; otherwise give five [x, y] points. */
  template: z.union([z.literal("arcface"), z.tuple([point, point, point, point, point])]),
  licence: z.string().min(1),
});

/** The manifest as written by the user. */
export type EmbedderManifest = z.infer<typeof manifestSchema>;

/** Validates `json` and turns it into a registry entry; throws `invalid-manifest` naming the field. */
export function parseEmbedderManifest(json: unknown): ModelEntry {
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "(root)";
    throw new ModelError("invalid-manifest", `embedder manifest: ${field}: ${issue?.message}`, {
      cause: parsed.error,
    });
  }
  const m = parsed.data;
  if (m.input.width !== m.input.height && m.template === "arcface") {
    throw new ModelError("invalid-manifest", "embedder manifest: template: 'arcface' needs a square input");
  }
  const widen = (values: number[]) =>
    (values.length === 1 ? [values[0], values[0], values[0]] : values) as number[];
  return {
    id: m.id,
    version: m.version,
    role: "embedder",
    format: "onnx",
    package: null,
    files: [{ path: m.file, sha256: m.sha256 }],
    input: {
      width: m.input.width,
      height: m.input.height,
      encoding: {
        layout: m.input.layout,
        channels: m.input.channels,
        mean: widen(m.input.mean),
        std: widen(m.input.std),
      },
    },
    output: m.output,
    template: m.template === "arcface" ? scaledArcFace(m.input.width) : (m.template as unknown as FivePoints),
    licence: { package: m.licence, weights: m.licence },
  };
}
