import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { newestMtime, staleBecause } from "./build-if-stale.ts";

describe("the dashboard build before npm start", () => {
  const dir = mkdtempSync(join(tmpdir(), "build-if-stale-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const at = (path: string, seconds: number) => {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, "x");
    utimesSync(path, seconds, seconds);
  };

  it("builds when there is no build, or a source is newer than it (a git pull), and not otherwise", () => {
    const marker = join(dir, "build/200.html");
    const src = join(dir, "src");
    at(join(src, "routes/page.svelte"), 1_000);
    at(join(src, "node_modules/dep.js"), 9_000); // not a source
    expect(staleBecause(marker, [src])).toBe("no dashboard build yet");
    at(marker, 2_000);
    expect(newestMtime([src, join(dir, "missing")])).toBe(1_000_000);
    expect(staleBecause(marker, [src])).toBeNull();
    at(join(src, "lib/api/openapi.ts"), 3_000);
    expect(staleBecause(marker, [src])).toBe("its sources changed since it was built");
  });
});
