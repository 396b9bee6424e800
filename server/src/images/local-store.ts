import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { ImageStore } from "./store.ts";

/** Images under a local directory (default `<data-dir>/images`). */
export class LocalImageStore implements ImageStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Written to a temporary name and renamed: rename is atomic, so no one reads half a file. */
  async put(key: string, bytes: Uint8Array, _mediaType?: string): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${randomBytes(4).toString("hex")}.tmp`;
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  }

  async get(key: string): Promise<Uint8Array> {
    return new Uint8Array(await readFile(this.path(key)));
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  private path(key: string): string {
    if (key.split("/").some((part) => part === ".." || part === "" || part === "."))
      throw new Error(`bad image key "${key}"`);
    return join(this.root, ...key.split("/"));
  }
}
