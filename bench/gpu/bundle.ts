/**
 * `npm run bench:gpu:bundle -- --out DIR [--photos 64]`: the self-contained bundle of the GPU
 * bench (`bench/gpu/node.ts`) for the lent GPU machines, which have no Node.js, no Chromium and no
 * network and take at most 64 MiB of files per run (issue 15 item 4). DIR gets two files:
 *
 * - `run.sh`, a POSIX sh launcher: unpacks the payload to /tmp (xz through tar, or Python's lzma
 *   where tar has no xz) and runs the bench with the carried Node, its arguments passed on;
 * - `payload.tar.xz`: Node's own binary (this one, `process.execPath`), the bench bundled by esbuild
 *   (`bench.mjs`), Dawn's `dawn.node` (`webgpu` npm package), onnxruntime-web's and tfjs's wasm
 *   binaries, the registry model files the batched pipeline reads, the photos decoded to RGBA
 *   (sharp stays behind), and the GL/Vulkan loader libraries (`libEGL`, `libGLdispatch`,
 *   `libvulkan`: glvnd and Khronos loaders, not drivers; the GPU machine's NVIDIA driver supplies
 *   its own ICD/EGL vendor files).
 *
 * Fails when DIR's files pass 64 MiB, and prints each part's size before and after compression.
 */
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { loadPipeline } from "../../models/src/load.ts";
import { decodeImage } from "../../models/src/node/decode.ts";
import { createNodeEngines } from "../../models/src/node/engines.ts";
import { nodeFileSource } from "../../models/src/node/files.ts";
import type { PhotoEntry } from "./node.ts";

/** The device machine's limit on files carried per run. */
export const BUNDLE_LIMIT = 64 * 1024 * 1024;
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const FACES = join(root, "..", "shared", "data", "faces", "images");
const require = createRequire(import.meta.url);
const LIBS = ["libEGL.so.1", "libGLdispatch.so.0", "libvulkan.so.1"];
const LIB_DIRS = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"];

const argument = (name: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
};

/** CommonJS packages inside an ES module still call require() and read __dirname (tfjs's wasm loader). */
const BANNER = [
  "import { createRequire as __cr } from 'node:module';",
  "import { dirname as __dn } from 'node:path';",
  "import { fileURLToPath as __fu } from 'node:url';",
  "const require = __cr(import.meta.url);",
  "const __filename = __fu(import.meta.url);",
  "const __dirname = __dn(__filename);",
].join(" ");

const LAUNCHER = `#!/bin/sh
# Facedrift GPU bench (bench/gpu/bundle.ts): unpacks to /tmp, runs bench.mjs on the carried Node.
# Arguments go to the bench: --photos N --batches 1,8,32,64 --adapters wasm,webgpu --dawn backend=vulkan --out FILE
set -e
here=$(cd "$(dirname "$0")" && pwd)
dir=\${FACEDRIFT_BENCH_DIR:-/tmp/facedrift-gpu-bench}
if [ ! -f "$dir/.unpacked" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  if tar --version >/dev/null 2>&1 && command -v xz >/dev/null 2>&1; then
    tar -xJf "$here/payload.tar.xz" -C "$dir"
  else
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1], "r:xz").extractall(sys.argv[2])' "$here/payload.tar.xz" "$dir"
  fi
  chmod +x "$dir/node"
  touch "$dir/.unpacked"
fi
# The carried loaders only where the host has none of its own (a host's libEGL finds its vendor files).
libs=""
for lib in libEGL.so.1 libGLdispatch.so.0 libvulkan.so.1; do
  if ! ldconfig -p 2>/dev/null | grep -q "$lib"; then libs=1; fi
done
if [ -n "$libs" ]; then export LD_LIBRARY_PATH="$dir/lib\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
export XDG_RUNTIME_DIR=\${XDG_RUNTIME_DIR:-/tmp}
# The lent GPU machines keep NVIDIA's ICD and EGL vendor files here (device README).
nv=/usr/local/nvidia/share
if [ -z "\${VK_DRIVER_FILES:-}" ] && [ -f $nv/vulkan/icd.d/nvidia_icd.json ]; then export VK_DRIVER_FILES=$nv/vulkan/icd.d/nvidia_icd.json; fi
if [ -z "\${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ] && [ -f $nv/glvnd/egl_vendor.d/10_nvidia.json ]; then
  export __EGL_VENDOR_LIBRARY_FILENAMES=$nv/glvnd/egl_vendor.d/10_nvidia.json
fi
for lib in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
  if [ -d $lib ]; then export LD_LIBRARY_PATH="\${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$lib"; fi
done
# Dawn's OpenGL ES backend needs an EGL display with no window system (no X, no Wayland there).
export EGL_PLATFORM=\${EGL_PLATFORM:-surfaceless}
exec "$dir/node" "$dir/bench.mjs" --data "$dir/data" "$@"
`;

function sizeOf(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((total, name) => total + sizeOf(join(path, name)), 0);
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function xzSize(stage: string, paths: string[]): number {
  const names = paths.map((path) => `"${path}"`).join(" ");
  return Number(
    execFileSync("sh", ["-c", `tar -cf - -C "${stage}" ${names} | xz -9 -T2 | wc -c`]).toString(),
  );
}

async function main() {
  const out = resolve(argument("out") ?? join(root, "bench", "gpu", "bundle"));
  const photoCount = Number(argument("photos") ?? 64);
  const stage = join(out, ".stage");
  rmSync(out, { recursive: true, force: true });
  const data = join(stage, "data");
  mkdirSync(join(data, "photos"), { recursive: true });
  mkdirSync(join(stage, "lib"), { recursive: true });

  // The bench, one ES module: every package inlined (no node_modules travels).
  await build({
    entryPoints: [join(root, "bench", "gpu", "node.ts")],
    outfile: join(stage, "bench.mjs"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    minify: true,
    logLevel: "warning",
    // CommonJS packages inside an ES module still call require().
    banner: { js: BANNER },
  });
  copyFileSync(process.execPath, join(stage, "node"));
  const webgpuDir = dirname(require.resolve("webgpu/package.json"));
  copyFileSync(join(webgpuDir, "dist", "linux-x64", "dawn.node"), join(data, "dawn.node"));
  const ortDist = dirname(require.resolve("onnxruntime-web")); // its exports hide package.json
  for (const file of ["ort-wasm-simd-threaded.wasm", "ort-wasm-simd-threaded.asyncify.wasm"])
    copyFileSync(join(ortDist, file), join(data, file));
  const tfjsWasm = join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
  for (const file of readdirSync(tfjsWasm).filter((name) => name.endsWith(".wasm")))
    copyFileSync(join(tfjsWasm, file), join(stage, file));

  // The model files the batched pipeline reads, recorded while loading it.
  const source = nodeFileSource();
  await loadPipeline(
    {
      engines: await createNodeEngines(),
      source: async (packageName, path) => {
        const bytes = await source(packageName, path);
        if (packageName === null) throw new Error(`${path}: a user model cannot travel in the bundle`);
        const target = join(data, "models", packageName, path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, bytes);
        return bytes;
      },
    },
    { batched: true },
  );

  // LFW: the first photo of each of the first N people, decoded here.
  const index: PhotoEntry[] = [];
  for (const person of readdirSync(FACES).slice(0, photoCount)) {
    const file = readdirSync(join(FACES, person))[0] as string;
    const image = await decodeImage(join(FACES, person, file));
    const name = `${index.length}.rgba`;
    writeFileSync(join(data, "photos", name), image.data);
    index.push({ name: `${person}/${file}`, width: image.width, height: image.height, file: name });
  }
  writeFileSync(join(data, "photos", "index.json"), JSON.stringify(index));

  for (const lib of LIBS) {
    const found = LIB_DIRS.map((dir) => join(dir, lib)).find((path) => existsSync(path));
    if (found) copyFileSync(realpathSync(found), join(stage, "lib", lib));
    else console.log(`${lib}: not installed here, not carried (apt-get install libegl1 libvulkan1)`);
  }

  // Each part's size alone and xz-compressed alone (the payload compresses them together).
  const parts: Array<[string, string[]]> = [
    ["node (Node binary)", ["node"]],
    ["bench.mjs (esbuild)", ["bench.mjs"]],
    ["dawn.node", ["data/dawn.node"]],
    ["onnxruntime-web wasm (WebGPU build)", ["data/ort-wasm-simd-threaded.asyncify.wasm"]],
    ["onnxruntime-web wasm (WASM baseline)", ["data/ort-wasm-simd-threaded.wasm"]],
    ["tfjs wasm", readdirSync(stage).filter((name) => name.endsWith(".wasm"))],
    ["models", ["data/models"]],
    [`photos (${index.length}, RGBA)`, ["data/photos"]],
    ["loader libraries", ["lib"]],
  ];
  console.log("| part | size | xz -9 |");
  console.log("| --- | ---: | ---: |");
  for (const [name, paths] of parts) {
    const size = paths.reduce((total, path) => total + sizeOf(join(stage, path)), 0);
    console.log(`| ${name} | ${mib(size)} | ${mib(xzSize(stage, paths))} |`);
  }

  execFileSync("sh", ["-c", `tar -cf - -C "${stage}" . | xz -9 -T2 > "${join(out, "payload.tar.xz")}"`]);
  writeFileSync(join(out, "run.sh"), LAUNCHER);
  chmodSync(join(out, "run.sh"), 0o755);
  rmSync(stage, { recursive: true, force: true });
  const total = sizeOf(out);
  console.log(`bundle ${out}: ${mib(total)} (limit ${mib(BUNDLE_LIMIT)})`);
  if (total > BUNDLE_LIMIT)
    throw new Error(`the bundle is ${mib(total)}, over the device machine's ${mib(BUNDLE_LIMIT)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
