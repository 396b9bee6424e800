import { LocalDirectory } from "../storage/local-directory.ts";
import type { ImageStore } from "./store.ts";

/** Images under a local directory (default `<data-dir>/images`). */
export class LocalImageStore implements ImageStore {
  private readonly files: LocalDirectory;

  constructor(root: string) {
    this.files = new LocalDirectory(root, "image");
  }

  get root(): string {
    return this.files.root;
  }

  put(key: string, bytes: Uint8Array, _mediaType?: string): Promise<void> {
    return this.files.put(key, bytes);
  }

  get(key: string): Promise<Uint8Array> {
    return this.files.get(key);
  }

  delete(key: string): Promise<void> {
    return this.files.delete(key);
  }
}
