/**
 * @module
 * Runs a list of image files through a face pipeline, one at a time, turning every failure into
 * a reason instead of an exception: one unreadable file must not lose an hour of embedding.
 * Progress (images done, rate, ETA) is reported after each image.
 */
import { readdir, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { Face } from "@facedrift/models";

/** What a run keeps of a face: enough to score it (embeddings) and to describe it (extraction). */
export type FoundFace = Pick<Face, "box" | "score" | "quality" | "embeddings">;

/**
 * One image file → the faces the policy kept and how many the detector saw. Throws
 * {@link UnreadableImage} when the file does not decode; any other error is the pipeline's and
 * ends the run (a broken engine must not be reported as a thousand unreadable photos).
 */
export type FileFaces = (path: string) => Promise<{ faces: FoundFace[]; detected: number }>;

export class UnreadableImage extends Error {}

/** Why an image gave no usable face. */
export type ImageFailure = "missing image" | "unreadable image" | "no face" | "several faces";

export type ImageOutcome =
  | { name: string; faces: FoundFace[]; detected: number }
  | { name: string; failure: ImageFailure; message?: string };

export interface Progress {
  done: number;
  total: number;
  elapsedMs: number;
  /** Remaining time at the mean rate so far. */
  etaMs: number;
}

const IMAGE_FILE = /\.(jpe?g|png|webp)$/i;

/**
 * Image files under `dir`, recursively, as sorted `/`-separated paths relative to it. A symlink
 * to an image file counts (datasets are often assembled from links); a link to a folder is not
 * followed (it could loop).
 */
export async function listImages(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const images: string[] = [];
  for (const entry of entries) {
    if (!IMAGE_FILE.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    const file =
      entry.isFile() ||
      (entry.isSymbolicLink() &&
        (await stat(path).then(
          (target) => target.isFile(),
          () => false,
        )));
    if (file) images.push(relative(dir, path).split("\\").join("/"));
  }
  return images.sort();
}

/** Processes `names` (relative to `imagesDir`) in order, yielding one outcome per image. */
export async function* processImages(
  fileFaces: FileFaces,
  imagesDir: string,
  names: readonly string[],
  onProgress?: (progress: Progress) => void,
  { now = () => performance.now(), signal }: { now?: () => number; signal?: AbortSignal } = {},
): AsyncGenerator<ImageOutcome> {
  const started = now();
  for (const [index, name] of names.entries()) {
    // A job that lost its lease stops between images: another worker has taken it over.
    signal?.throwIfAborted();
    yield await processOne(fileFaces, imagesDir, name);
    const elapsedMs = now() - started;
    const done = index + 1;
    onProgress?.({ done, total: names.length, elapsedMs, etaMs: (elapsedMs / done) * (names.length - done) });
  }
}

async function processOne(fileFaces: FileFaces, imagesDir: string, name: string): Promise<ImageOutcome> {
  const path = resolve(imagesDir, name);
  const inside = relative(resolve(imagesDir), path);
  // The pairs file comes from the user; it must not name files outside the images folder.
  if (inside.startsWith("..") || isAbsolute(inside)) {
    return { name, failure: "missing image", message: "outside the images folder" };
  }
  if (
    !(await stat(path).then(
      (found) => found.isFile(),
      () => false,
    ))
  ) {
    return { name, failure: "missing image" };
  }
  let found: Awaited<ReturnType<FileFaces>>;
  try {
    found = await fileFaces(path);
  } catch (error) {
    if (!(error instanceof UnreadableImage)) throw error;
    return { name, failure: "unreadable image", message: error.message };
  }
  const { faces, detected } = found;
  if (faces.length > 0) return { name, faces, detected };
  return { name, failure: detected > 1 ? "several faces" : "no face" };
}
