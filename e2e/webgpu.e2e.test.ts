/**
 * The face pipeline on WebGPU for real, on the CPU adapters a CI machine has (issue 15): the
 * capture worker, on the replica page that drives it (`server/src/replica/chromium.ts`), embeds a
 * few LFW photos on WASM and then on WebGPU:
 *
 * - Chromium's SwiftShader adapter (`--enable-unsafe-webgpu`), always;
 * - Mesa's lavapipe through ANGLE on Vulkan (Dawn's OpenGL ES adapter, compatibility level),
 *   where `mesa-vulkan-drivers` is installed (`.ci/run` installs it; under CI its absence fails).
 *
 * A run that fell back to WASM fails: both engines must say `webgpu`, no fallback may be reported,
 * and boxes (within 1e-3 px) and embeddings (cosine ≥ 0.9999) must match the WASM run. Then a
 * server with `FACEDRIFT_REPLICA_WEBGPU=on` embeds uploads of the same photos: the stored rows must
 * record WebGPU engines and match WASM the same way. On each backend the page's batched runs
 * (`embedBatch`, issue 15 item 3) must give each photo the face it got alone. WebGPU on a CPU
 * adapter takes seconds per face, so the set is three photos.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ImageEmbedder,
  launchChromiumEmbedder,
  type PageFace,
  type WebgpuAdapterKind,
} from "../server/src/replica/chromium.ts";
import { CHROMIUM, hasChromium } from "./support/chromium.ts";
import { freePort } from "./support/ports.ts";
import { type ServeProcess, serveProcess } from "./support/serve-process.ts";
import { ensureWebBuild, WEB_BUILD } from "./support/web-build.ts";

const FACES = join(import.meta.dirname, "..", "..", "shared", "data", "faces", "images");
const ADMIN_KEY = "fd_e2e_webgpu_admin_key_5c1e9a7d3b2f48";
/** The first photos of three people, one face each. */
const PHOTOS = ["AJ_Lamas", "Aaron_Guiel", "Aaron_Tippin"].map((person) => {
  const name = `${person}_0001.jpg`;
  return { name, bytes: new Uint8Array(readFileSync(join(FACES, person, name))) };
});

/** Mesa's lavapipe ICD, which `mesa-vulkan-drivers` installs. */
const hasLavapipe = () =>
  existsSync("/usr/share/vulkan/icd.d") &&
  readdirSync("/usr/share/vulkan/icd.d").some((file) => file.startsWith("lvp_icd"));

const cosine = (a: readonly number[], b: readonly number[]) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
};

const boxGap = (a: PageFace["box"], b: PageFace["box"]) =>
  Math.max(
    Math.abs(a.x - b.x),
    Math.abs(a.y - b.y),
    Math.abs(a.width - b.width),
    Math.abs(a.height - b.height),
  );

/**
 * The photos again through `embedBatch` in runs of 2 (derived batched models: the detector over
 * [2, 1] images, the landmarker and embedder over [2, 1] faces): each face as it was alone.
 */
async function expectBatchesMatch(embedder: ImageEmbedder, alone: PageFace[], backend: "webgpu" | "wasm") {
  const results = await (embedder.embedBatch as NonNullable<ImageEmbedder["embedBatch"]>)(
    PHOTOS.map(({ bytes }) => ({ bytes, mediaType: "image/jpeg" })),
    2,
  );
  results.forEach((result, i) => {
    if (!result.ok) throw new Error(`${PHOTOS[i]?.name}: ${result.stage}: ${result.message}`);
    expect(result.fallback).toBeUndefined();
    expect(result.engines.every((e) => e.backend === backend)).toBe(true);
    expect(result.batch).toMatchObject({ index: i, size: PHOTOS.length });
    const face = result.faces[0] as PageFace;
    const reference = alone[i] as PageFace;
    expect(result.faces).toHaveLength(1);
    expect(boxGap(face.box, reference.box)).toBeLessThanOrEqual(1e-3);
    expect(cosine(face.embedding, reference.embedding)).toBeGreaterThanOrEqual(0.9999);
  });
}

/** Each photo's one face as `embedder` sees it, checked to be a complete, fallback-free result. */
async function embedAll(embedder: ImageEmbedder, backend: "webgpu" | "wasm"): Promise<PageFace[]> {
  const faces: PageFace[] = [];
  for (const photo of PHOTOS) {
    const result = await embedder.embed(photo.bytes, "image/jpeg");
    if (!result.ok) throw new Error(`${photo.name}: ${result.stage}: ${result.message}`);
    expect(result.fallback, `${photo.name}: fell back to WASM`).toBeUndefined();
    expect(result.engines.map((e) => `${e.runtime}/${e.backend}`)).toEqual([
      `onnxruntime-web/${backend}`,
      `tfjs/${backend}`,
    ]);
    expect(result.faces, photo.name).toHaveLength(1);
    faces.push(result.faces[0] as PageFace);
  }
  return faces;
}

describe.skipIf(!hasChromium())("the pipeline on WebGPU (CPU adapters), against WASM", () => {
  let wasm: PageFace[];

  beforeAll(async () => {
    ensureWebBuild();
    const embedder = await launchChromiumEmbedder({
      executablePath: CHROMIUM,
      webgpu: null,
      webRoot: WEB_BUILD,
    });
    try {
      wasm = await embedAll(embedder, "wasm");
      await expectBatchesMatch(embedder, wasm, "wasm");
    } finally {
      await embedder.close();
    }
  }, 300_000);

  const onAdapter = async (kind: WebgpuAdapterKind, expectAdapter: RegExp) => {
    const embedder = await launchChromiumEmbedder({
      executablePath: CHROMIUM,
      webgpu: kind,
      webRoot: WEB_BUILD,
    });
    try {
      const { loaded } = embedder;
      expect(loaded.fallback, "loading on WebGPU fell back to WASM").toBeUndefined();
      for (const engine of loaded.engines) {
        expect(engine.backend).toBe("webgpu");
        expect(engine.adapter).toMatch(expectAdapter);
      }
      const gpu = await embedAll(embedder, "webgpu");
      gpu.forEach((face, i) => {
        const reference = wasm[i] as PageFace;
        const gap = boxGap(face.box, reference.box);
        const similarity = cosine(face.embedding, reference.embedding);
        console.log(
          `${kind} ${PHOTOS[i]?.name}: box gap ${gap.toExponential(2)} px, cosine ${similarity.toFixed(7)}`,
        );
        expect(gap).toBeLessThanOrEqual(1e-3);
        expect(similarity).toBeGreaterThanOrEqual(0.9999);
      });
      await expectBatchesMatch(embedder, gpu, "webgpu");
    } finally {
      await embedder.close();
    }
  };

  it("runs on Chromium's SwiftShader adapter and matches WASM", async () => {
    await onAdapter("swiftshader", /swiftshader.*fallback/);
  }, 300_000);

  it.skipIf(!hasLavapipe() && !process.env.CI)(
    "runs on Mesa's lavapipe through ANGLE (compatibility adapter) and matches WASM",
    async () => {
      expect(hasLavapipe(), "mesa-vulkan-drivers is not installed (.ci/run installs it)").toBe(true);
      // Not SwiftShader: a compatibility adapter that is not a fallback one.
      await onAdapter("opengles", /^(?!.*swiftshader).*\(compatibility\)$/);
    },
    300_000,
  );

  describe("a replica with FACEDRIFT_REPLICA_WEBGPU=on", () => {
    let dataDir: string;
    let server: ServeProcess;
    const before = process.env.FACEDRIFT_REPLICA_WEBGPU;

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), "facedrift-e2e-webgpu-"));
      // No GPU device here, so `on` means SwiftShader (`webgpuAdapterFor`).
      process.env.FACEDRIFT_REPLICA_WEBGPU = "on";
      server = serveProcess({
        port: await freePort(),
        adminKey: ADMIN_KEY,
        dataDir,
        args: ["--replica", "--no-streaming", "--no-scheduler"],
      });
      await server.start();
    }, 300_000);

    afterAll(async () => {
      if (before === undefined) delete process.env.FACEDRIFT_REPLICA_WEBGPU;
      else process.env.FACEDRIFT_REPLICA_WEBGPU = before;
      await server?.kill("SIGTERM");
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }, 60_000);

    it("stores embeddings whose recorded engines are WebGPU, matching WASM", async () => {
      const form = new FormData();
      for (const photo of PHOTOS) form.append("files", new Blob([photo.bytes]), photo.name);
      const uploaded = await fetch(`${server.url}/v1/streams/gpu-uploads/images`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
        body: form,
      });
      expect(uploaded.status).toBe(202);
      const jobUrl = ((await uploaded.json()) as { job: { url: string } }).job.url;
      const deadline = Date.now() + 240_000;
      let job: {
        status: string;
        files: Array<{ filename: string; status: string; embeddingId: string | null }>;
      };
      for (;;) {
        job = (await (await server.api(jobUrl)).json()) as typeof job;
        if (job.status === "succeeded" || job.status === "failed") break;
        if (Date.now() > deadline) throw new Error(`the upload job did not finish: ${JSON.stringify(job)}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(job.status).toBe("succeeded");

      const rows = (
        (await (await server.api("/v1/streams/gpu-uploads/embeddings?limit=100")).json()) as {
          items: Array<{ id: string; metadata: Record<string, unknown> | null; embedding: number[] }>;
        }
      ).items;
      expect(rows).toHaveLength(PHOTOS.length);
      PHOTOS.forEach((photo, i) => {
        const file = job.files.find((f) => f.filename === photo.name);
        expect(file?.status, photo.name).toBe("embedded");
        const row = rows.find((r) => r.id === file?.embeddingId);
        expect(row?.metadata?.engine, photo.name).toBe("onnxruntime-web/webgpu,tfjs/webgpu");
        expect(row?.metadata?.fallback, photo.name).toBeUndefined();
        expect(cosine(row?.embedding ?? [], (wasm[i] as PageFace).embedding)).toBeGreaterThanOrEqual(0.9999);
      });

      const metrics = await (await server.api("/metrics")).text();
      expect(metrics).toContain("# TYPE facedrift_replica_webgpu_fallbacks_total counter");
      expect(metrics).not.toMatch(/^facedrift_replica_webgpu_fallbacks_total\{[^}]*\} [1-9]/m);
    }, 300_000);
  });
});
