/**
 * @module
 * One WebGPU device per engine, from whatever adapter the host offers. A core adapter is asked
 * for first; where there is none, a compatibility one (Chromium's OpenGL ES adapter through
 * ANGLE, which is how Mesa's lavapipe and GL-only GPU nodes show up). The libraries' own adapter
 * requests ask for core only, so each engine is handed the device made here instead.
 *
 * The structural types below stand in for `@webgpu/types`, which the workspace does not load
 * (Node has no WebGPU; only the browser adapter reaches this code).
 */

/** The parts of `GPUAdapterInfo` a status line shows. */
export interface GpuAdapterInfo {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}

/** The parts of a `GPUAdapter` used here. */
export interface GpuAdapterLike {
  readonly info?: GpuAdapterInfo;
  readonly isFallbackAdapter?: boolean;
  readonly features: { has(name: string): boolean };
  readonly limits: Readonly<Record<string, number>>;
  requestDevice(descriptor?: {
    requiredFeatures?: string[];
    requiredLimits?: Record<string, number>;
  }): Promise<GpuDeviceLike>;
}

/** A `GPUDevice`, opaque here: the engines hand it to their library. */
export interface GpuDeviceLike {
  readonly lost: Promise<{ readonly reason: string; readonly message: string }>;
  destroy(): void;
}

interface GpuLike {
  requestAdapter(options?: { featureLevel?: "core" | "compatibility" }): Promise<GpuAdapterLike | null>;
}

/** A device and what it runs on. */
export interface GpuDevice {
  readonly adapter: GpuAdapterLike;
  readonly device: GpuDeviceLike;
  /** `core` or `compatibility`: which request found the adapter. */
  readonly featureLevel: "core" | "compatibility";
  /** `describeAdapter`'s line, e.g. `google/swiftshader (core, fallback)`. */
  readonly description: string;
}

/** The limits both libraries size their kernels by: the adapter's own, not WebGPU's defaults. */
const LIMITS = [
  "maxComputeWorkgroupStorageSize",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupSizeY",
  "maxComputeWorkgroupSizeZ",
  "maxComputeInvocationsPerWorkgroup",
  "maxStorageBuffersPerShaderStage",
] as const;

const gpuOf = (): GpuLike | undefined => (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;

/**
 * The adapter this host offers, or `null` where there is none. A hardware (non-fallback) adapter
 * wins: core first, then compatibility, then a fallback adapter of either (SwiftShader answers
 * the core request even where `--use-webgpu-adapter=opengles` offers lavapipe or a GPU).
 */
export async function findGpuAdapter(): Promise<{
  adapter: GpuAdapterLike;
  featureLevel: "core" | "compatibility";
} | null> {
  const gpu = gpuOf();
  if (!gpu) return null;
  const found: Array<{ adapter: GpuAdapterLike; featureLevel: "core" | "compatibility" }> = [];
  for (const featureLevel of ["core", "compatibility"] as const) {
    try {
      const adapter = await gpu.requestAdapter(featureLevel === "core" ? {} : { featureLevel });
      if (adapter) found.push({ adapter, featureLevel });
    } catch {
      // An implementation that does not know `featureLevel` throws; the core answer stands.
    }
  }
  return found.find(({ adapter }) => !isFallback(adapter)) ?? found[0] ?? null;
}

const isFallback = (adapter: GpuAdapterLike) =>
  adapter.info?.isFallbackAdapter === true || adapter.isFallbackAdapter === true;

/**
 * A fresh device on a fresh adapter (a WebGPU adapter hands out one device only), with the
 * adapter's limits. Throws where the host has no adapter: the caller asked for WebGPU.
 */
export async function requestGpuDevice(): Promise<GpuDevice> {
  const found = await findGpuAdapter();
  if (!found) throw new Error("WebGPU: this host offers no adapter");
  const { adapter, featureLevel } = found;
  const requiredLimits: Record<string, number> = {};
  for (const name of LIMITS) {
    const value = adapter.limits[name];
    if (typeof value === "number") requiredLimits[name] = value;
  }
  const requiredFeatures = ["shader-f16", "timestamp-query"].filter((name) => adapter.features.has(name));
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
  return { adapter, device, featureLevel, description: describeAdapter(adapter, featureLevel) };
}

/**
 * A one-line name for an adapter, for status lines and stored engine records: who made it (empty
 * for Chromium's compatibility adapters, which hide it), the feature level and whether it is a
 * fallback (CPU) adapter, e.g. `google/swiftshader (core, fallback)` or `unknown (compatibility)`.
 */
export function describeAdapter(adapter: GpuAdapterLike, featureLevel: "core" | "compatibility"): string {
  const info = adapter.info ?? {};
  const who = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join("/");
  return `${who || "unknown"} (${featureLevel}${isFallback(adapter) ? ", fallback" : ""})`;
}
