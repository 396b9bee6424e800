import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ArchiveStore } from "./archive-store.ts";

/** Archive files under a local directory (default `<data-dir>/archive`). */
export class LocalArchiveStore implements ArchiveStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  location(key: string): string {
    return pathToFileURL(this.path(key)).href;
  }

  /** Written to a temporary name and renamed: rename is atomic, so no one reads half a file. */
  async put(key: string, bytes: Uint8Array): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${randomBytes(4).toString("hex")}.tmp`;
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  }

  async get(key: string): Promise<Uint8Array> {
    return new Uint8Array(await readFile(this.path(key)));
  }

  private path(key: string): string {
    if (key.split("/").some((part) => part === ".." || part === ""))
      throw new Error(`bad archive key "${key}"`);
    return join(this.root, ...key.split("/"));
  }
}
