import { describe, expect, it } from "vitest";
import { ModelError } from "./errors.ts";
import { loadDetector, loadEmbedder, loadLandmarker } from "./load.ts";
import { CATALOG, DEFAULT_MODELS } from "./registry/catalog.ts";

// No engine and a source that must not be called: refusals happen before any file is read.
const context = {
  engines: [],
  source: async () => {
    throw new Error("the source must not be read for a model that cannot run");
  },
};
const entry = (id: string) => {
  const found = CATALOG[id];
  if (!found) throw new Error(`catalog lost ${id}`);
  return found;
};
const codeOf = (error: unknown) => (error instanceof ModelError ? error.code : String(error));

describe("loaders", () => {
  it("refuse catalogued models that no stage decodes yet, naming why", async () => {
    const tiny = await loadDetector(context, entry("faceapi-tiny-detector")).catch((e: unknown) => e);
    expect(codeOf(tiny)).toBe("unsupported-format");
    expect(String(tiny)).toMatch(/YOLO/);
    expect(codeOf(await loadLandmarker(context, entry("faceapi-landmark68")).catch((e: unknown) => e))).toBe(
      "unsupported-format",
    );
    expect(codeOf(await loadEmbedder(context, entry("faceapi-ssd-mobilenet")).catch((e: unknown) => e))).toBe(
      "unsupported-format",
    );
  });

  it("defaults name catalogued models of the right role", () => {
    expect(entry(DEFAULT_MODELS.detector).role).toBe("detector");
    expect(entry(DEFAULT_MODELS.landmarker).role).toBe("landmarker");
    expect(entry(DEFAULT_MODELS.embedder).role).toBe("embedder");
  });
});
