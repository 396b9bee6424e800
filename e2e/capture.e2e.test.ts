/**
 * The capture journey in a real browser: Debian's Chromium with a fake camera playing LFW stills
 * (`../shared/data/faces/camera.y4m`), the built app, and the real API (`facedrift serve` on an
 * embedded database). The page runs the face pipeline from `@facedrift/models` in its worker on
 * WASM (headless Chromium here has no WebGPU adapter without `--enable-unsafe-webgpu`), and once
 * on WebGPU (SwiftShader's adapter, with that flag). `webgpu.e2e.test.ts` compares the two.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CATALOG, DEFAULT_MODELS } from "@facedrift/models";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppServer, startAppServer } from "./support/app-server.ts";
import { hasChromium, launchChromium } from "./support/chromium.ts";
import { type FacedriftServer, facedriftServer } from "./support/facedrift-server.ts";
import { freePort } from "./support/ports.ts";
import { ensureWebBuild, WEB_BUILD } from "./support/web-build.ts";

const root = join(import.meta.dirname, "..");
const CAMERA = join(root, "..", "shared", "data", "faces", "camera.y4m");
const ARTIFACTS = join(import.meta.dirname, "artifacts");
const STREAM = "lobby";
const embedder = CATALOG[DEFAULT_MODELS.embedder];

interface StoredEmbedding {
  id: string;
  source: string;
  device: string | null;
  model: { id: string; version: string };
  metadata: Record<string, unknown> | null;
  embedding: number[];
}

/** Polls `read` until `done` holds; fails with the last value seen. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${what}; last: ${value}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await read();
  }
  return value;
}

const text = async (page: Page, id: string) => ((await page.getByTestId(id).textContent()) ?? "").trim();
const number = async (page: Page, id: string) => Number.parseInt(await text(page, id), 10);

/** The ids in the page's IndexedDB outbox, read without the app's code. */
const outboxIds = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open("facedrift-capture");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const keys = open.result.transaction("outbox").objectStore("outbox").getAllKeys();
          keys.onerror = () => reject(keys.error);
          keys.onsuccess = () => {
            open.result.close();
            resolve(keys.result.map(String));
          };
        };
      }),
  );

describe.skipIf(!hasChromium())("capture station (Chromium, fake camera, real API)", () => {
  let dataDir: string;
  let api: FacedriftServer;
  let app: AppServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let ingestKey: string;
  const pageErrors: string[] = [];
  const firstIds = new Set<string>();

  const stored = async (stream = STREAM): Promise<StoredEmbedding[]> => {
    const response = await api.api(`/v1/streams/${stream}/embeddings?limit=1000`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: StoredEmbedding[] }).items;
  };

  // Generous: on a busy 2-core runner, building web/ (when stale) and starting the API take minutes.
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    ensureWebBuild();
    dataDir = mkdtempSync(join(tmpdir(), "facedrift-e2e-capture-"));
    api = facedriftServer({
      port: await freePort(),
      dataDir,
      adminKey: "fd_e2e_capture_admin_key_7f3a9c2e51b8d4",
    });
    await api.start();
    const created = await api.api("/v1/api-keys", {
      method: "POST",
      body: JSON.stringify({ name: "capture station", scopes: ["ingest"] }),
    });
    expect(created.status).toBe(201);
    ingestKey = ((await created.json()) as { secret: string }).secret;
    app = await startAppServer({ dir: WEB_BUILD, apiPort: Number(new URL(api.url).port) });
    browser = await launchChromium({ fakeCamera: CAMERA });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // Counts camera requests, to prove none happens before consent.
    await context.addInitScript(() => {
      const devices = navigator.mediaDevices;
      if (!devices) return;
      const original = devices.getUserMedia.bind(devices);
      const counter = globalThis as unknown as { cameraRequests: number };
      counter.cameraRequests = 0;
      devices.getUserMedia = (constraints) => {
        counter.cameraRequests++;
        return original(constraints);
      };
    });
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await api?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it("asks for consent, then sends embeddings from the camera with device id and quality", async () => {
    await page.goto(`${app.url}/capture`);
    await page.getByRole("heading", { name: "Before the camera starts" }).waitFor();
    await page.waitForTimeout(500);
    expect(
      await page.evaluate(() => (globalThis as unknown as { cameraRequests: number }).cameraRequests),
    ).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, "capture-1-consent.png") });

    await page.getByRole("button", { name: /I agree/ }).click();
    await page.getByLabel("API key (ingest scope)").fill(ingestKey);
    await page.getByLabel("Stream").fill(STREAM);
    await page.getByLabel("Faces per second").fill("4");
    await page.getByRole("button", { name: "Save settings" }).click();

    await until(
      () => text(page, "phase"),
      (phase) => phase === "running" || phase === "failed",
      "the pipeline",
    );
    expect(await text(page, "last-error")).toBe("none");
    expect(await page.getByTestId("engine").getAttribute("data-backend")).toBe("wasm");
    await until(
      () => number(page, "sent"),
      (sent) => sent >= 8,
      "8 faces sent",
    );
    await page.screenshot({ path: join(ARTIFACTS, "capture-2-running.png") });

    const device = await text(page, "device");
    const rows = await stored();
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
    for (const row of rows) {
      expect(row).toMatchObject({
        source: "browser",
        device,
        model: { id: embedder?.id, version: embedder?.version },
      });
      expect(row.embedding).toHaveLength(embedder?.output.dimension ?? -1);
      expect(row.metadata).toMatchObject({
        quality: {
          faceSize: expect.any(Number),
          detectorScore: expect.any(Number),
          blur: expect.any(Number),
          brightness: expect.any(Number),
        },
        hints: expect.any(Array),
        frame: { width: 640, height: 480 },
      });
      // Unit-norm, as the pipeline promises.
      expect(Math.hypot(...row.embedding)).toBeCloseTo(1, 3);
    }
    // No face repeats the one sent just before it (the stills are shown for two frames each, so
    // repeats do reach the sampler; how many depends on timing, the rule does not).
    const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * (b[i] as number), 0);
    for (let i = 1; i < rows.length; i++) {
      expect(
        cosine((rows[i - 1] as StoredEmbedding).embedding, (rows[i] as StoredEmbedding).embedding),
      ).toBeLessThan(0.995);
    }

    // The service worker has pre-cached the app, the worker, its WASM and the models.
    const missing = await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      const list = (await (await fetch("/offline.json")).json()) as string[];
      const names = await caches.keys();
      const cache = await caches.open(names[0] ?? "none");
      const absent: string[] = [];
      for (const path of ["/capture", ...list.map((p) => `/${p}`)])
        if (!(await cache.match(path))) absent.push(path);
      return absent;
    });
    expect(missing).toEqual([]);
    // Installable: Chromium finds no problem with the manifest, icons or service worker.
    const cdp = await context.newCDPSession(page);
    expect((await cdp.send("Page.getAppManifest")).errors).toEqual([]);
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    // Playwright's contexts are off-the-record profiles, which Chromium never offers to install into.
    expect(installabilityErrors.filter((error) => error.errorId !== "in-incognito")).toEqual([]);
    await cdp.detach();

    // Pausing releases the camera once the frame in flight is handled; what was queued drains.
    await page.getByRole("button", { name: "Pause capture" }).click();
    await until(
      () => text(page, "phase"),
      (phase) => phase === "idle",
      "capture paused",
    );
    await until(
      () => number(page, "queued"),
      (queued) => queued === 0,
      "the outbox to drain after a pause",
    );
    for (const row of await stored()) firstIds.add(row.id);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("keeps faces through an outage and a reload, then stores each exactly once", async () => {
    // The API goes down before capture resumes (paused, outbox empty, stored faces noted by the
    // first test), so every face stored from here on was queued during the outage: resuming first
    // let a face be sent just before the stop, in neither list (seen under load).
    await api.stop();
    await page.getByRole("button", { name: "Resume capture" }).click();
    await until(
      () => text(page, "phase"),
      (phase) => phase === "running",
      "capture resumed",
    );
    await until(
      () => number(page, "queued"),
      (queued) => queued >= 2,
      "faces queued while the API is down",
    );
    // A face counts as queued before its first send fails, so the error is waited for as well.
    await until(
      () => text(page, "last-error"),
      (error) => error.includes("HTTP 502"),
      "the proxy's 502",
    );
    const queuedBeforeReload = await outboxIds(page);

    // The whole site goes away too: the reload is served by the service worker alone.
    await app.stop();
    await page.reload();
    await until(
      () => text(page, "phase"),
      (phase) => phase === "running",
      "capture after an offline reload",
    );
    expect(await outboxIds(page)).toEqual(expect.arrayContaining(queuedBeforeReload));
    await until(
      () => number(page, "queued"),
      (queued) => queued > queuedBeforeReload.length,
      "more faces queued offline",
    );
    await until(
      () => text(page, "last-error"),
      (error) => error.includes("network"),
      "a network error",
    );
    await page.screenshot({ path: join(ARTIFACTS, "capture-3-offline.png") });

    await page.getByRole("button", { name: "Pause capture" }).click();
    await until(
      () => text(page, "phase"),
      (phase) => phase === "idle",
      "capture paused",
    );
    const queued = await outboxIds(page);
    expect(queued.length).toBeGreaterThan(queuedBeforeReload.length);

    // Back online, but the first answers are lost on the way back: the API stores the batch, the
    // page sees a network error and retries the same ids.
    await app.start();
    app.loseResponses = true;
    await api.start();
    await page.getByRole("button", { name: "Send queued now" }).click();
    await until(
      async () => app.ingest.lost,
      (lost) => lost >= 1,
      "a lost response",
    );
    app.loseResponses = false;
    await page.getByRole("button", { name: "Send queued now" }).click();
    await until(
      () => number(page, "queued"),
      (left) => left === 0,
      "the outbox to drain",
    );
    await page.screenshot({ path: join(ARTIFACTS, "capture-4-drained.png") });

    const rows = await stored();
    const ids = rows.map((row) => row.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => !firstIds.has(id)).sort()).toEqual([...queued].sort());
    expect(await number(page, "duplicates")).toBeGreaterThanOrEqual(1);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("runs the pipeline on WebGPU when Chromium offers an adapter (SwiftShader here), with no fallback", async () => {
    // SwiftShader's CPU adapter, the only one headless Chromium has here.
    const gpuBrowser = await launchChromium({ fakeCamera: CAMERA, webgpu: true });
    try {
      const gpuPage = await gpuBrowser.newPage();
      gpuPage.on("pageerror", (error) => pageErrors.push(error.message));
      // Settings through the URL fragment this time; the page must take the key out of the address.
      await gpuPage.goto(`${app.url}/capture#key=${ingestKey}&stream=${STREAM}-webgpu&rate=2`);
      await gpuPage.getByRole("button", { name: /I agree/ }).click();
      await gpuPage.waitForURL(`${app.url}/capture`, { timeout: 10_000 });
      await until(
        () => number(gpuPage, "sent"),
        (sent) => sent >= 1,
        "a face sent with WebGPU offered",
        120_000,
      );
      await gpuPage.screenshot({ path: join(ARTIFACTS, "capture-5-webgpu.png") });

      // A fallback to WASM fails the test: the worker must have run every stage on WebGPU.
      expect(await gpuPage.getByTestId("engine").getAttribute("data-backend")).toBe("webgpu");
      expect(await gpuPage.getByTestId("engine-note").count()).toBe(0);
      const rows = await stored(`${STREAM}-webgpu`);
      expect(rows.length).toBeGreaterThanOrEqual(1);
      for (const row of rows) {
        expect(row.metadata?.engine).toBe("onnxruntime-web/webgpu,tfjs/webgpu");
        expect(row.metadata?.fallback).toBeUndefined();
      }
      expect(pageErrors).toEqual([]);
    } finally {
      await gpuBrowser.close();
    }
  }, 150_000);
});
