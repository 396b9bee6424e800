/**
 * `npm run bench:gpu` at CI size, so it cannot rot: two LFW photos at batch 1 and 2 on WASM and
 * on a CPU WebGPU adapter (lavapipe where `mesa-vulkan-drivers` is installed, as `.ci/run` does,
 * else SwiftShader). Checks what the bench reports, never how fast it was.
 */
import { describe, expect, it } from "vitest";
import { hasChromium } from "../../e2e/support/chromium.ts";
import { ensureWebBuild, WEB_BUILD } from "../../e2e/support/web-build.ts";
import { defaultAdapters, markdownTable, runGpuBench } from "./run.ts";

describe.skipIf(!hasChromium())("bench:gpu at CI size", () => {
  it("runs the batched pipeline on WASM and a WebGPU adapter and reports every batch", async () => {
    ensureWebBuild();
    const gpu = defaultAdapters().includes("opengles") ? "opengles" : "swiftshader";
    const rows = await runGpuBench({
      photos: 2,
      batches: [1, 2],
      adapters: ["wasm", gpu],
      webRoot: WEB_BUILD,
      log: () => {},
    });
    expect(rows.map((r) => [r.adapter, r.batch])).toEqual([
      ["wasm", 1],
      ["wasm", 2],
      [gpu, 1],
      [gpu, 2],
    ]);
    for (const row of rows) {
      expect(row.faces).toBe(2);
      expect(row.photosPerSecond).toBeGreaterThan(0);
      expect(Number.isFinite(row.perPhotoMs.detect) && Number.isFinite(row.perPhotoMs.embed)).toBe(true);
      expect(row.minCosine).toBeGreaterThanOrEqual(0.9999);
      if (row.adapter !== "wasm") expect(row.device).not.toBe("wasm");
    }
    expect(markdownTable(rows).split("\n")).toHaveLength(2 + rows.length);
  }, 300_000);
});
