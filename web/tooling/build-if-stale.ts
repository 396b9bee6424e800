/**
 * @module
 * `npm start`'s prestart: builds the dashboard when there is no build, or when a source it is made
 * from changed after it was built. Checking only that a build exists served the old dashboard
 * after a `git pull`, talking to a newer API. The sources are the web workspace's own files and
 * the models workspace it imports; a checkout or an edit gives a changed file a newer mtime.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The newest modification time (ms) under `paths` (files or folders), skipping `node_modules`. */
export function newestMtime(paths: readonly string[]): number {
  let newest = 0;
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== "node_modules") visit(join(path, entry));
    } else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const path of paths) visit(path);
  return newest;
}

/** Why the build at `marker` must be made again, or null when it is current. */
export function staleBecause(marker: string, sources: readonly string[]): string | null {
  if (!existsSync(marker)) return "no dashboard build yet";
  return newestMtime(sources) > statSync(marker).mtimeMs ? "its sources changed since it was built" : null;
}

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const SOURCES = [
  "web/src",
  "web/static",
  "web/tooling",
  "web/package.json",
  "web/svelte.config.js",
  "web/vite.config.ts",
  "models/src",
  "models/package.json",
  "package-lock.json",
].map((p) => join(root, p));

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const reason = staleBecause(join(root, "web/build/200.html"), SOURCES);
  if (reason !== null) {
    console.log(`building the dashboard: ${reason}`);
    const built = spawnSync("npm", ["run", "build", "-w", "web"], { cwd: root, stdio: "inherit" });
    process.exit(built.status ?? 1);
  }
}
