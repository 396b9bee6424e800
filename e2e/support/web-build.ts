/**
 * @module
 * Builds `web/` when its output is missing or older than its sources (or the models it ships), so
 * a journey always drives the app as it is now without paying ~25 s for a build on every run.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");
export const WEB_BUILD = join(root, "web", "build");
const STAMP = join(WEB_BUILD, "offline.json");
const SOURCES = [
  "web/src",
  "web/static",
  "web/tooling",
  "web/vite.config.ts",
  "web/svelte.config.js",
  "models/src",
];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Held while one process builds: Vitest runs journey files in parallel, and they share web/build. */
const LOCK = join(root, "web", ".build-lock");
/** A lock older than this was left by a killed run. */
const STALE_LOCK_MS = 10 * 60_000;

const isFresh = () => {
  const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
  return built > Math.max(...SOURCES.map((source) => newest(join(root, source))));
};

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

export function ensureWebBuild(): void {
  if (isFresh()) return;
  // mkdir is atomic: one caller builds, the others wait and then find the build fresh. Two
  // builds at once would each empty web/build under the other's running server.
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS)
        rmSync(LOCK, { recursive: true, force: true });
      sleep(500);
      if (isFresh()) return;
    }
  }
  try {
    if (isFresh()) return;
    // Vitest sets NODE_ENV=test, which would make Vite resolve Svelte and SvelteKit's dev builds.
    const result = spawnSync("npm", ["run", "build", "-w", "web"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, NODE_ENV: "production" },
    });
    if (result.status !== 0) throw new Error(`web build failed:\n${result.stdout}\n${result.stderr}`);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
