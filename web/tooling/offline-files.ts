/**
 * @module
 * A Vite plugin that serves everything the capture worker loads at run time from the app's own
 * origin, so nothing is fetched from the internet:
 *
 * - the model files, read from the installed npm packages and checked against the SHA-256 in the
 *   `@facedrift/models` registry, emitted as `<base>/models/<package>/<path>` (the layout
 *   `fetchFileSource` expects); a mismatching file fails the build instead of shipping weights
 *   the registry did not pin;
 * - runtime files that no import names (TensorFlow.js fetches its WASM binaries by URL);
 * - `offline.json`, the list the service worker pre-caches beyond SvelteKit's own lists.
 *
 * The dev server serves the same paths (it has no service worker).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { ModelEntry } from "@facedrift/models";
import type { Plugin } from "vite";

const require = createRequire(import.meta.url);

/** Below the app's base path; read by `src/service-worker.ts`. */
export const OFFLINE_INDEX = "offline.json";

/** One file to ship: its URL path below the base path and its bytes. */
export interface ShippedFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** Copies `<package>/<file>` for each file to `<dir>/<basename>`. */
export interface RuntimeFiles {
  readonly package: string;
  readonly files: readonly string[];
  readonly dir: string;
}

/** Reads a package file from node_modules; injectable for tests. */
export type PackageReader = (packageName: string, path: string) => Uint8Array;

const readFromNodeModules: PackageReader = (packageName, path) =>
  readFileSync(join(dirname(require.resolve(`${packageName}/package.json`)), path));

/** Reads and verifies every file of `entries`; throws naming the file whose hash differs. */
export function collectModelFiles(
  entries: readonly ModelEntry[],
  dir: string,
  read: PackageReader = readFromNodeModules,
): ShippedFile[] {
  return entries.flatMap((entry) => {
    if (entry.package === null)
      throw new RangeError(`${entry.id}: user models are not shipped with the app; serve them separately`);
    const packageName = entry.package;
    return entry.files.map((file) => {
      const bytes = read(packageName, file.path);
      const actual = createHash("sha256").update(bytes).digest("hex");
      if (actual !== file.sha256) {
        throw new Error(
          `${entry.id}: ${packageName}/${file.path} has SHA-256 ${actual}, the registry expects ${file.sha256}`,
        );
      }
      return { path: `${dir}/${packageName}/${file.path}`, bytes };
    });
  });
}

/** Reads runtime files. Their versions are pinned by package-lock.json, not by the registry. */
export function collectRuntimeFiles(
  runtimes: readonly RuntimeFiles[],
  read: PackageReader = readFromNodeModules,
): ShippedFile[] {
  return runtimes.flatMap((runtime) =>
    runtime.files.map((file) => ({
      path: `${runtime.dir}/${file.split("/").pop()}`,
      bytes: read(runtime.package, file),
    })),
  );
}

export function offlineFiles(options: {
  entries: readonly ModelEntry[];
  modelsDir: string;
  runtimes: readonly RuntimeFiles[];
}): Plugin {
  let files: ShippedFile[] | undefined;
  const load = () => {
    files ??= [
      ...collectModelFiles(options.entries, options.modelsDir),
      ...collectRuntimeFiles(options.runtimes),
    ];
    return files;
  };
  return {
    name: "facedrift-offline-files",
    buildStart() {
      load();
    },
    generateBundle(outputOptions, bundle) {
      // SvelteKit builds the server and the client separately; only the client serves files.
      if (outputOptions.dir?.endsWith("/server")) return;
      for (const file of load()) this.emitFile({ type: "asset", fileName: file.path, source: file.bytes });
      // SvelteKit's `build` list (from the client manifest) names the worker chunk but not the
      // assets the worker imports (onnxruntime's .wasm), so they are listed here too.
      const workerFiles = Object.keys(bundle).filter((name) => name.includes("/workers/"));
      this.emitFile({
        type: "asset",
        fileName: OFFLINE_INDEX,
        source: JSON.stringify([...load().map((file) => file.path), ...workerFiles]),
      });
    },
    configureServer(server) {
      const base = server.config.base.replace(/\/$/, "");
      server.middlewares.use((request, response, next) => {
        const url = decodeURIComponent(request.url?.split("?")[0] ?? "");
        const file = load().find((candidate) => url === `${base}/${candidate.path}`);
        if (!file) return next();
        response.setHeader(
          "content-type",
          file.path.endsWith(".wasm") ? "application/wasm" : "application/octet-stream",
        );
        response.end(file.bytes);
      });
    },
  };
}
