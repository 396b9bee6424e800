/**
 * @module
 * The replica's browser: Debian's Chromium (or `FACEDRIFT_CHROMIUM`) headless through
 * playwright-core, on the built web app's `/replica` page, which runs the capture worker
 * (`web/src/routes/replica/`). The app is served from a loopback port of this process, so a
 * replica needs no server URL, only the checkout's `web/build`.
 */
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { OpenAPIHono } from "@hono/zod-openapi";
import { type Browser, chromium, type Page } from "playwright-core";
import type { AppEnv } from "../http/env.ts";
import { serveWebApp } from "../http/web-app.ts";

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../../../web/build", import.meta.url));

export interface EngineInfo {
  runtime: string;
  backend: string;
  /** WebGPU only: the adapter the engine's device came from. */
  adapter?: string;
}

/** Milliseconds per stage (`StageTimings` of `@facedrift/models`): align and embed per embedder id. */
export interface PageTimings {
  detect: number;
  landmarks: number;
  quality: number;
  align: Record<string, number>;
  embed: Record<string, number>;
}

/** One face as the page answers it. */
export interface PageFace {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  quality: Record<string, number>;
  embedding: number[];
}

/** What the page answers for one image (`web/src/routes/replica/replica.ts`). */
export type PageImageResult =
  | {
      ok: true;
      width: number;
      height: number;
      detected: number;
      faces: PageFace[];
      engines: EngineInfo[];
      totalMs: number;
      fallback?: string;
      /**
       * From `embedBatch`: the image's place among the batch's decoded images (`again`'s `item`),
       * and each stage's milliseconds for the whole call.
       */
      batch?: { index: number; size: number; timings?: PageTimings };
    }
  | { ok: false; stage: "decode" | "pipeline"; message: string };

export interface PageLoaded {
  engines: EngineInfo[];
  embedder: { id: string; version: string; dimension: number };
  /** The other embedders `again` can use (`ALTERNATE_EMBEDDERS`); absent on an older page. */
  others?: { id: string; version: string; dimension: number }[];
  loadMs: number;
  /** Set when the page was to run on WebGPU and loaded on WASM instead: why. */
  fallback?: string;
}

export type PageAgainResult =
  | {
      ok: true;
      embedder: { id: string; version: string; dimension: number };
      face: PageFace | null;
      totalMs: number;
    }
  | { ok: false; stage: "pipeline"; message: string };

/** Embeds images in a browser page; one image at a time per page. */
export interface ImageEmbedder {
  readonly loaded: PageLoaded;
  /** `select`: which face to keep, the `largest` (default, as capture does) or the `central` one. */
  embed(bytes: Uint8Array, mediaType: string, select?: "largest" | "central"): Promise<PageImageResult>;
  /**
   * The last embedded image's face with another embedder of `loaded.others` (a model transition);
   * absent where the page can embed with its default model only.
   */
  again?(model: { id: string; version: string }, item?: number): Promise<PageAgainResult>;
  /**
   * Several images in batched model runs of at most `batchSize` (per image the same result as
   * `embed`); absent where the page embeds one image at a time.
   */
  embedBatch?(
    images: ReadonlyArray<{ bytes: Uint8Array; mediaType: string }>,
    batchSize: number,
    select?: "largest" | "central",
  ): Promise<PageImageResult[]>;
  close(): Promise<void>;
}

export interface ChromiumOptions {
  executablePath: string;
  /**
   * The WebGPU adapter Chromium is launched for (`webgpuLaunch`), or `null` for none (WASM). The
   * worker falls back to WASM only when a WebGPU load or run fails, and says so on every result.
   */
  webgpu: WebgpuAdapterKind | null;
  /** More flags, e.g. `--use-angle=vulkan` (Playwright already passes `--headless` and `--no-sandbox`). */
  args?: readonly string[];
  webRoot?: string;
}

/**
 * How Chromium is asked for a WebGPU adapter on Linux (deploy/gpu.md says which to use where):
 *
 * - `swiftshader`: Chromium's CPU adapter, on any host (slow; what CI proves the pipeline on);
 * - `vulkan`: Dawn's Vulkan backend on the node's Vulkan driver (NVIDIA's, or Mesa's on
 *   AMD/Intel), ANGLE on Vulkan too: the hardware adapter of a GPU node;
 * - `opengles`: Dawn's OpenGL ES backend through ANGLE on Vulkan, a compatibility-level adapter:
 *   how Mesa's lavapipe (a CPU Vulkan driver Dawn does not take directly) shows up, and the
 *   route for a GPU whose Vulkan driver Dawn refuses.
 */
export type WebgpuAdapterKind = "swiftshader" | "vulkan" | "opengles";

/** What `FACEDRIFT_REPLICA_WEBGPU` may say: a kind, or `auto`/`on`/`off`. */
export type WebgpuSetting = "auto" | "on" | "off" | WebgpuAdapterKind;

/** True where the host shows a GPU device node (NVIDIA, or a DRI render node). */
export function hasGpuDevice(): boolean {
  return existsSync("/dev/nvidia0") || existsSync("/dev/dri/renderD128");
}

/**
 * The adapter kind for a setting: `auto` = `vulkan` where the host shows a GPU device, none
 * otherwise; `on` = the same on a GPU node and SwiftShader elsewhere; a kind as given.
 */
export function webgpuAdapterFor(setting: WebgpuSetting, gpu = hasGpuDevice()): WebgpuAdapterKind | null {
  if (setting === "off") return null;
  if (setting === "auto") return gpu ? "vulkan" : null;
  if (setting === "on") return gpu ? "vulkan" : "swiftshader";
  return setting;
}

/**
 * Images per batched page call: the setting, or for `auto` 32 on a GPU adapter (`vulkan`; the
 * design expects 32–64 to be best there, not measured yet: BENCHMARKS.md) and 1 on CPU adapters
 * and WASM, where batching gains nothing per image.
 */
export function replicaBatchSize(setting: "auto" | number, webgpu: WebgpuAdapterKind | null): number {
  if (setting !== "auto") return setting;
  return webgpu === "vulkan" ? 32 : 1;
}

/** Chromium's flags for an adapter kind, and the Playwright defaults that must go for it. */
export function webgpuLaunch(kind: WebgpuAdapterKind | null): {
  args: string[];
  ignoreDefaultArgs: string[];
} {
  if (kind === null) return { args: [], ignoreDefaultArgs: [] };
  if (kind === "swiftshader") return { args: ["--enable-unsafe-webgpu"], ignoreDefaultArgs: [] };
  // Playwright's SwiftShader GL defaults would pin ANGLE (and so WebGPU's GL ES adapter) to the CPU.
  const ignoreDefaultArgs = ["--enable-unsafe-swiftshader", "--use-angle=swiftshader-webgl"];
  const args = ["--enable-unsafe-webgpu", "--ignore-gpu-blocklist", "--use-angle=vulkan"];
  if (kind === "vulkan")
    return { args: [...args, "--enable-features=Vulkan,VulkanFromANGLE"], ignoreDefaultArgs };
  return { args: [...args, "--use-webgpu-adapter=opengles"], ignoreDefaultArgs };
}

async function serveApp(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const app = new OpenAPIHono<AppEnv>();
  serveWebApp(app, root);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    );
  });
}

export async function launchChromiumEmbedder(options: ChromiumOptions): Promise<ImageEmbedder> {
  const root = options.webRoot ?? DEFAULT_WEB_ROOT;
  if (!existsSync(join(root, "replica.html")))
    throw new Error(`no replica page in ${root} (run npm run build -w web)`);
  if (!existsSync(options.executablePath))
    throw new Error(`no Chromium at ${options.executablePath} (set FACEDRIFT_CHROMIUM)`);
  const site = await serveApp(root);
  let browser: Browser | undefined;
  try {
    const gpu = webgpuLaunch(options.webgpu);
    browser = await chromium.launch({
      executablePath: options.executablePath,
      args: [...gpu.args, ...(options.args ?? [])],
      ...(gpu.ignoreDefaultArgs.length > 0 ? { ignoreDefaultArgs: gpu.ignoreDefaultArgs } : {}),
    });
    // No service worker: the replica fetches each model once per page anyway.
    const context = await browser.newContext({ serviceWorkers: "block" });
    const page: Page = await context.newPage();
    await page.goto(`${site.url}/replica`);
    // The page defines the API when it mounts, which can be after the load event.
    await page.waitForFunction(() => "facedriftReplica" in globalThis);
    const loaded = await page.evaluate(
      () =>
        (globalThis as unknown as { facedriftReplica: { ready: Promise<PageLoaded> } }).facedriftReplica
          .ready,
    );
    const opened = browser;
    return {
      loaded,
      embed: (bytes, mediaType, select = "largest") =>
        page.evaluate(
          ([base64, type, face]) =>
            (
              globalThis as unknown as {
                facedriftReplica: { embed(b: string, t: string, s: string): Promise<PageImageResult> };
              }
            ).facedriftReplica.embed(base64, type, face),
          [Buffer.from(bytes).toString("base64"), mediaType, select] as const,
        ),
      again: (model, item) =>
        page.evaluate(
          ([m, i]) =>
            (
              globalThis as unknown as {
                facedriftReplica: {
                  again(m: { id: string; version: string }, i?: number): Promise<PageAgainResult>;
                };
              }
            ).facedriftReplica.again(m, i ?? undefined),
          [model, item ?? null] as const,
        ),
      embedBatch: (images, batchSize, select = "largest") =>
        page.evaluate(
          ([list, size, face]) =>
            (
              globalThis as unknown as {
                facedriftReplica: {
                  embedBatch(
                    l: Array<{ base64: string; mediaType: string }>,
                    b: number,
                    s: string,
                  ): Promise<PageImageResult[]>;
                };
              }
            ).facedriftReplica.embedBatch(list, size, face),
          [
            images.map(({ bytes, mediaType }) => ({
              base64: Buffer.from(bytes).toString("base64"),
              mediaType,
            })),
            batchSize,
            select,
          ] as const,
        ),
      close: async () => {
        await opened.close();
        await site.close();
      },
    };
  } catch (error) {
    await browser?.close();
    await site.close();
    throw error;
  }
}
