import { describe, expect, it } from "vitest";
import { webgpuAdapterFor, webgpuLaunch } from "./chromium.ts";

describe("the replica's WebGPU setting", () => {
  it("picks the GPU's adapter where the host shows a GPU, SwiftShader only when asked", () => {
    expect(webgpuAdapterFor("auto", true)).toBe("vulkan");
    expect(webgpuAdapterFor("auto", false)).toBeNull();
    expect(webgpuAdapterFor("on", true)).toBe("vulkan");
    expect(webgpuAdapterFor("on", false)).toBe("swiftshader");
    expect(webgpuAdapterFor("off", true)).toBeNull();
    expect(webgpuAdapterFor("opengles", false)).toBe("opengles");
  });

  it("launches Chromium without Playwright's SwiftShader defaults for a Vulkan or GL ES adapter", () => {
    expect(webgpuLaunch(null)).toEqual({ args: [], ignoreDefaultArgs: [] });
    expect(webgpuLaunch("swiftshader")).toEqual({ args: ["--enable-unsafe-webgpu"], ignoreDefaultArgs: [] });
    for (const kind of ["vulkan", "opengles"] as const) {
      const { args, ignoreDefaultArgs } = webgpuLaunch(kind);
      expect(args).toEqual(expect.arrayContaining(["--enable-unsafe-webgpu", "--use-angle=vulkan"]));
      expect(ignoreDefaultArgs).toContain("--enable-unsafe-swiftshader");
    }
    expect(webgpuLaunch("opengles").args).toContain("--use-webgpu-adapter=opengles");
    expect(webgpuLaunch("vulkan").args).not.toContain("--use-webgpu-adapter=opengles");
  });
});
