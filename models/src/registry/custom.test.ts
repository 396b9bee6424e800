import * as ort from "onnxruntime-web";
import { describe, expect, it } from "vitest";
import { createOnnxEngine } from "../engine/onnx.ts";
import { ModelError } from "../errors.ts";
import { loadEmbedder } from "../load.ts";
import { nodeFileSource, packageDir } from "../node/files.ts";
import { parseEmbedderManifest } from "./custom.ts";
import { ARCFACE_112 } from "./templates.ts";

/** faceplugin's embedder stands in for a user model: a real ONNX file outside the catalog. */
const manifest = {
  id: "user-arcface",
  version: "1",
  file: "fr_feature.onnx",
  sha256: "87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581",
  input: { width: 112, height: 112, layout: "nchw", channels: "rgb", mean: [127], std: [128] },
  output: { name: "output", dimension: 512 },
  template: "arcface",
  licence: "MIT",
};

const codeOf = (error: unknown) => (error instanceof ModelError ? error.code : String(error));

describe("parseEmbedderManifest", () => {
  it("turns a valid manifest into an embedder entry", () => {
    const entry = parseEmbedderManifest(manifest);
    expect(entry.package).toBeNull();
    expect(entry.input.encoding.mean).toEqual([127, 127, 127]);
    expect(entry.template).toEqual(ARCFACE_112);
  });

  it.each([
    ["sha256", { sha256: "abc" }],
    ["input.std", { input: { ...manifest.input, std: [0] } }],
    ["output.dimension", { output: { name: "x", dimension: 1 } }],
    ["template", { template: [[1, 2]] }],
  ])("names the bad field: %s", (field, patch) => {
    expect(() => parseEmbedderManifest({ ...manifest, ...patch })).toThrow(
      new RegExp(`^embedder manifest: ${field}`),
    );
  });
});

describe("a user ONNX embedder is checked against its manifest before use", () => {
  const context = async () => ({
    engines: [await createOnnxEngine({ ort, backend: "wasm" })],
    source: nodeFileSource(`${packageDir("faceplugin-face-recognition-js")}/model`),
  });

  it("loads when input and output match", async () => {
    const embedder = await loadEmbedder(await context(), parseEmbedderManifest(manifest));
    expect(embedder.dimension).toBe(512);
  });

  it("refuses a wrong output dimension", async () => {
    const entry = parseEmbedderManifest({ ...manifest, output: { name: "output", dimension: 128 } });
    expect(codeOf(await loadEmbedder(await context(), entry).catch((e: unknown) => e))).toBe(
      "model-shape-mismatch",
    );
  });

  it("refuses a wrong input size", async () => {
    const entry = parseEmbedderManifest({ ...manifest, input: { ...manifest.input, width: 96, height: 96 } });
    const error = await loadEmbedder(await context(), entry).catch((e: unknown) => e);
    expect(codeOf(error)).toBe("model-shape-mismatch");
    expect(String(error)).toMatch(/\[1, 3, 112, 112\]/);
  });

  it("refuses bytes that do not match the manifest hash", async () => {
    const entry = parseEmbedderManifest({ ...manifest, sha256: "0".repeat(64) });
    expect(codeOf(await loadEmbedder(await context(), entry).catch((e: unknown) => e))).toBe(
      "checksum-mismatch",
    );
  });
});
