/**
 * `npm run bench:gpu [-- --photos N --batches 1,8,32,64 --adapters wasm,opengles,…]`: the whole
 * face pipeline (decode → detect → landmarks → quality → align → embed) on LFW photos in the
 * replica's browser page (`server/src/replica/chromium.ts`, the capture worker), through its
 * batched path (`embedBatch`: derived batched detector and landmarker, face-api's embedder over
 * arrays), at each batch size, on WASM and on every WebGPU adapter this host has, side by side:
 * photos/s end to end and per-stage milliseconds per photo. Every run's embeddings are checked
 * against the invocation's first run (cosine ≥ 0.9999; WASM at the first batch size when WASM is
 * listed first, as by default), so a fast wrong run cannot pass.
 *
 * Adapters by default: WASM; `opengles` (lavapipe or a GL ES GPU) where Mesa's lavapipe ICD or a
 * GPU device exists; `vulkan` where a GPU device exists; `swiftshader` always (slow: at most 8
 * photos there unless `--adapters` names it). Writes bench/results/gpu-batch.json (`--out NAME`
 * for another file name there) and prints the
 * markdown table BENCHMARKS.md quotes. `--photos 4 --batches 1,2` is the CI size
 * (`bench/gpu/run.test.ts`).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DEFAULT_WEB_ROOT,
  hasGpuDevice,
  launchChromiumEmbedder,
  type PageFace,
  type PageTimings,
  type WebgpuAdapterKind,
} from "../../server/src/replica/chromium.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const FACES = join(root, "..", "shared", "data", "faces", "images");
const CHROMIUM = process.env.FACEDRIFT_CHROMIUM ?? process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

type Adapter = "wasm" | WebgpuAdapterKind;

export interface GpuBenchRow {
  adapter: Adapter;
  /** `describeAdapter` of the page's engines (WebGPU), or `wasm`. */
  device: string;
  batch: number;
  photos: number;
  faces: number;
  seconds: number;
  photosPerSecond: number;
  /** Milliseconds per photo, each stage summed over the call (align and embed over embedders). */
  perPhotoMs: { detect: number; landmarks: number; quality: number; align: number; embed: number };
  /** Lowest cosine of any face against the invocation's first run (WASM's, by default). */
  minCosine: number;
}

export interface GpuBenchOptions {
  photos: number;
  batches: number[];
  adapters: Adapter[];
  /** Cap on photos for SwiftShader, which takes seconds per face. */
  swiftshaderPhotos?: number;
  webRoot?: string;
  log?: (line: string) => void;
}

const hasLavapipe = () =>
  existsSync("/usr/share/vulkan/icd.d") &&
  readdirSync("/usr/share/vulkan/icd.d").some((file) => file.startsWith("lvp_icd"));

/** WASM, and each WebGPU adapter kind this host can offer. */
export function defaultAdapters(): Adapter[] {
  const gpu = hasGpuDevice();
  return [
    "wasm",
    ...(gpu ? (["vulkan"] as const) : []),
    ...(gpu || hasLavapipe() ? (["opengles"] as const) : []),
    "swiftshader",
  ];
}

/** The first photo of each person, in LFW's order. */
export function lfwPhotos(count: number): Array<{ name: string; bytes: Uint8Array }> {
  return readdirSync(FACES)
    .slice(0, count)
    .map((person) => {
      const name = readdirSync(join(FACES, person))[0] as string;
      return { name, bytes: new Uint8Array(readFileSync(join(FACES, person, name))) };
    });
}

const cosine = (a: readonly number[], b: readonly number[]) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return dot / Math.sqrt(na * nb);
};

const sum = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);

export async function runGpuBench(options: GpuBenchOptions): Promise<GpuBenchRow[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const all = lfwPhotos(options.photos);
  const rows: GpuBenchRow[] = [];
  let reference: Array<PageFace | undefined> | undefined;
  for (const adapter of options.adapters) {
    const photos = adapter === "swiftshader" ? all.slice(0, options.swiftshaderPhotos ?? all.length) : all;
    const embedder = await launchChromiumEmbedder({
      executablePath: CHROMIUM,
      webgpu: adapter === "wasm" ? null : adapter,
      ...(options.webRoot ? { webRoot: options.webRoot } : {}),
    });
    try {
      const { engines, fallback } = embedder.loaded;
      if (fallback) throw new Error(`${adapter}: the page fell back to WASM: ${fallback}`);
      const device =
        adapter === "wasm" ? "wasm" : [...new Set(engines.map((e) => e.adapter ?? "?"))].join(", ");
      if (adapter !== "wasm" && engines.some((e) => e.backend !== "webgpu"))
        throw new Error(`${adapter}: engines ${JSON.stringify(engines)}`);
      const embedBatch = embedder.embedBatch;
      if (!embedBatch) throw new Error("the replica page has no embedBatch");
      const files = photos.map(({ bytes }) => ({ bytes, mediaType: "image/jpeg" }));
      // Warm-up: shaders compile and the batched models load on the first call.
      await embedBatch(files.slice(0, Math.min(2, files.length)), 2);
      for (const batch of options.batches) {
        const started = performance.now();
        const results = await embedBatch(files, batch);
        const seconds = (performance.now() - started) / 1000;
        const faces = results.map((result, i) => {
          if (!result.ok) throw new Error(`${adapter} batch ${batch} ${photos[i]?.name}: ${result.message}`);
          if (result.fallback) throw new Error(`${adapter} batch ${batch}: fell back: ${result.fallback}`);
          return result.faces[0];
        });
        reference ??= faces;
        let minCosine = 1;
        faces.forEach((face, i) => {
          const other = reference?.[i];
          if (!face || !other) {
            if (face || other) throw new Error(`${adapter} batch ${batch} ${photos[i]?.name}: faces differ`);
            return;
          }
          minCosine = Math.min(minCosine, cosine(face.embedding, other.embedding));
        });
        // Every photo of one call carries the call's stage timings.
        const first = results.find((r) => r.ok && r.batch?.timings);
        const timings = (first?.ok ? first.batch?.timings : undefined) as PageTimings | undefined;
        const per = (ms: number) => Math.round((ms / photos.length) * 100) / 100;
        const row: GpuBenchRow = {
          adapter,
          device,
          batch,
          photos: photos.length,
          faces: faces.filter(Boolean).length,
          seconds: Math.round(seconds * 1000) / 1000,
          photosPerSecond: Math.round((photos.length / seconds) * 100) / 100,
          perPhotoMs: {
            detect: per(timings?.detect ?? Number.NaN),
            landmarks: per(timings?.landmarks ?? Number.NaN),
            quality: per(timings?.quality ?? Number.NaN),
            align: per(timings ? sum(timings.align) : Number.NaN),
            embed: per(timings ? sum(timings.embed) : Number.NaN),
          },
          minCosine: Math.round(minCosine * 1e7) / 1e7,
        };
        rows.push(row);
        log(
          `${adapter} batch ${batch}: ${row.photosPerSecond} photos/s (${row.photos} photos, ${row.faces} faces), ` +
            `per photo ms: ${JSON.stringify(row.perPhotoMs)}, min cosine ${row.minCosine}`,
        );
        if (minCosine < 0.9999)
          throw new Error(`${adapter} batch ${batch}: cosine ${minCosine} against the first run`);
      }
    } finally {
      await embedder.close();
    }
  }
  return rows;
}

/** The rows as the markdown table BENCHMARKS.md quotes. */
export function markdownTable(rows: readonly GpuBenchRow[]): string {
  const lines = [
    "| adapter | batch | photos | photos/s | detect | landmarks | quality | align | embed | min cosine |",
    "| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |",
  ];
  for (const r of rows) {
    const p = r.perPhotoMs;
    lines.push(
      `| ${r.adapter} | ${r.batch} | ${r.photos} | ${r.photosPerSecond} | ${p.detect} | ${p.landmarks} | ${p.quality} | ${p.align} | ${p.embed} | ${r.minCosine} |`,
    );
  }
  return lines.join("\n");
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const photos = Number(argument("photos") ?? 64);
  const batches = (argument("batches") ?? "1,8,32,64").split(",").map(Number);
  const adapters = (argument("adapters")?.split(",") as Adapter[] | undefined) ?? defaultAdapters();
  const startedLoad = loadavg()[0] ?? 0;
  const rows = await runGpuBench({
    photos,
    batches,
    adapters,
    swiftshaderPhotos: argument("adapters") ? photos : Math.min(photos, 8),
    webRoot: DEFAULT_WEB_ROOT,
  });
  const result = {
    suite: "gpu-batch",
    machine: {
      cpu: cpus()[0]?.model ?? "?",
      cores: cpus().length,
      loadAverage: Math.round(startedLoad * 100) / 100,
    },
    finishedAt: new Date().toISOString(),
    rows,
  };
  mkdirSync(join(root, "bench", "results"), { recursive: true });
  const out = argument("out") ?? "gpu-batch.json";
  writeFileSync(join(root, "bench", "results", out), `${JSON.stringify(result, null, 2)}\n`);
  console.log(markdownTable(rows));
}
