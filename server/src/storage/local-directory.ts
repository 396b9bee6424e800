import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

/**
 * Objects as files under one local directory, keyed by `/`-separated relative paths: the put,
 * get and delete that the Parquet archive (`retention/local-store.ts`) and the image store
 * (`images/local-store.ts`) share, as `S3Bucket` is for their S3 side.
 */
export class LocalDirectory {
  readonly root: string;

  /** `what` names the keys in errors ("image", "archive"). */
  constructor(
    root: string,
    private readonly what: string,
  ) {
    this.root = resolve(root);
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

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  /** The file of `key`; a key that could leave the directory (`..`, empty or `.` parts) is refused. */
  path(key: string): string {
    if (key.split("/").some((part) => part === ".." || part === "" || part === "."))
      throw new Error(`bad ${this.what} key "${key}"`);
    return join(this.root, ...key.split("/"));
  }
}
