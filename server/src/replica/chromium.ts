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
    }
  | { ok: false; stage: "decode" | "pipeline"; message: string };

export interface PageLoaded {
  engines: EngineInfo[];
  embedder: { id: string; version: string; dimension: number };
  /** The other embedders `again` can use (`ALTERNATE_EMBEDDERS`); absent on an older page. */
  others?: { id: string; version: string; dimension: number }[];
  loadMs: number;
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
  again?(model: { id: string; version: string }): Promise<PageAgainResult>;
  close(): Promise<void>;
}

export interface ChromiumOptions {
  executablePath: string;
  /** Adds `--enable-unsafe-webgpu`; the worker still falls back to WASM if a WebGPU kernel fails. */
  webgpu: boolean;
  /** More flags, e.g. `--use-angle=vulkan` (Playwright already passes `--headless` and `--no-sandbox`). */
  args?: readonly string[];
  webRoot?: string;
}

/** `auto`: WebGPU only where the host shows a GPU device node (NVIDIA or a DRI render node). */
export function wantsWebgpu(mode: "auto" | "on" | "off"): boolean {
  if (mode !== "auto") return mode === "on";
  return existsSync("/dev/nvidia0") || existsSync("/dev/dri/renderD128");
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
    browser = await chromium.launch({
      executablePath: options.executablePath,
      args: [
        ...(options.webgpu ? ["--enable-unsafe-webgpu", "--enable-features=Vulkan"] : []),
        ...(options.args ?? []),
      ],
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
      again: (model) =>
        page.evaluate(
          (m) =>
            (
              globalThis as unknown as {
                facedriftReplica: { again(m: { id: string; version: string }): Promise<PageAgainResult> };
              }
            ).facedriftReplica.again(m),
          model,
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
