import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Path of a file under `../shared/oracles` (beside the project root). Tests read the oracles in
 * place; the guide forbids copying them into the project.
 */
export function oraclePath(relative: string): string {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
  const path = join(root, "..", "shared", "oracles", relative);
  if (!existsSync(path))
    throw new Error(`oracle file missing: ${path} (expected ../shared beside the project)`);
  return path;
}
