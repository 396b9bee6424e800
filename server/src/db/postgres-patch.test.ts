import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * postgres.js 3.4.9 can throw an uncatchable TypeError from a write scheduled after the database
 * closed the connection (porsager/postgres#1208), which took `facedrift serve` down during a
 * database restart (e2e/faults/database-restart.test.ts). `patches/postgres+3.4.9.patch`, applied
 * by patch-package on install, guards it; this fails if an install skipped the patch. Drop both
 * once a release carries the fix.
 */
describe("the postgres.js patch", () => {
  it("is applied to every build the server may load", () => {
    // The package's "exports" hide its package.json; its CommonJS entry is cjs/src/index.js.
    const entry = createRequire(import.meta.url).resolve("postgres");
    const root = dirname(dirname(dirname(entry)));
    expect(entry.endsWith(["cjs", "src", "index.js"].join(sep))).toBe(true);
    for (const build of ["src", "cjs/src", "cf/src"]) {
      const source = readFileSync(join(root, build, "connection.js"), "utf8");
      expect(source, build).toMatch(/function nextWrite\(fn\) \{[^}]*if \(!socket\) \{/);
    }
  });
});
