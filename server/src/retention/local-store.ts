import { pathToFileURL } from "node:url";
import { LocalDirectory } from "../storage/local-directory.ts";
import type { ArchiveStore } from "./archive-store.ts";

/** Archive files under a local directory (default `<data-dir>/archive`). */
export class LocalArchiveStore implements ArchiveStore {
  private readonly files: LocalDirectory;

  constructor(root: string) {
    this.files = new LocalDirectory(root, "archive");
  }

  get root(): string {
    return this.files.root;
  }

  location(key: string): string {
    return pathToFileURL(this.files.path(key)).href;
  }

  put(key: string, bytes: Uint8Array): Promise<void> {
    return this.files.put(key, bytes);
  }

  get(key: string): Promise<Uint8Array> {
    return this.files.get(key);
  }

  delete(key: string): Promise<void> {
    return this.files.delete(key);
  }
}
