import { CATALOG, DEFAULT_MODELS, type ModelEntry } from "@facedrift/models";
import { describe, expect, it } from "vitest";
import { collectModelFiles, collectRuntimeFiles } from "./offline-files.ts";

const detector = CATALOG[DEFAULT_MODELS.detector] as ModelEntry;

describe("collectModelFiles", () => {
  it("reads the registry's files from node_modules and checks their SHA-256", () => {
    const files = collectModelFiles([detector], "models");
    expect(files.map((f) => [f.path, f.bytes.length])).toEqual([
      ["models/faceplugin-face-recognition-js/model/fr_detect.onnx", 1_217_758],
    ]);
  });

  it("fails the build on bytes the registry did not pin, naming the file", () => {
    const tampered = () => new Uint8Array([1, 2, 3]);
    expect(() => collectModelFiles([detector], "models", tampered)).toThrow(
      /faceplugin-detect: faceplugin-face-recognition-js\/model\/fr_detect\.onnx has SHA-256 039058c6/,
    );
  });

  it("refuses user models, which are not in an npm package", () => {
    expect(() => collectModelFiles([{ ...detector, package: null }], "models")).toThrow(
      /user models are not shipped/,
    );
  });
});

describe("collectRuntimeFiles", () => {
  it("copies package files into a flat folder", () => {
    const read = (packageName: string, path: string) => new TextEncoder().encode(`${packageName}:${path}`);
    const files = collectRuntimeFiles(
      [{ package: "p", files: ["dist/a.wasm", "dist/b.wasm"], dir: "runtime/p" }],
      read,
    );
    expect(files.map((f) => [f.path, new TextDecoder().decode(f.bytes)])).toEqual([
      ["runtime/p/a.wasm", "p:dist/a.wasm"],
      ["runtime/p/b.wasm", "p:dist/b.wasm"],
    ]);
  });
});
