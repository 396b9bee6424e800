/**
 * The core must run in a web worker: only the host adapters (`node/`, `browser/`) may import Node
 * built-ins, sharp, or each other. Checked on the source text so a stray import fails CI.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = import.meta.dirname;
const ADAPTERS = ["node", "browser"];

function coreFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((item) => {
    const path = join(dir, item.name);
    if (item.isDirectory()) return ADAPTERS.includes(relative(root, path)) ? [] : coreFiles(path);
    return item.name.endsWith(".ts") && !item.name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("import boundaries", () => {
  it.each(coreFiles(root).map((path) => [relative(root, path), path]))(
    "%s imports no host-specific module",
    (_name, path) => {
      const specifiers = [...readFileSync(path, "utf8").matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1] ?? "");
      const offending = specifiers.filter(
        (s) =>
          s.startsWith("node:") || s === "sharp" || /(^|\/)(node|browser)\//.test(s.replace(/^\.\.?\//, "")),
      );
      expect(offending).toEqual([]);
    },
  );
});
