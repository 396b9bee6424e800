/**
 * @module
 * Node file source: registry paths are read from the installed npm packages (so weights are never
 * copied into the repository); user models are read relative to their manifest's folder.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { FileSource } from "../registry/verify.ts";

const require = createRequire(import.meta.url);

/** Folder of an installed package, found through Node's resolver. */
export function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/** Reads package files from node_modules and user files from `userDir`. */
export function nodeFileSource(userDir = process.cwd()): FileSource {
  return async (packageName, path) => {
    const full = packageName === null ? join(userDir, path) : join(packageDir(packageName), path);
    return new Uint8Array(await readFile(full));
  };
}
