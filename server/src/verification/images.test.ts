import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listImages } from "./images.ts";

describe("listImages", () => {
  const dir = mkdtempSync(join(tmpdir(), "facedrift-images-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("lists image files recursively, symlinked images included, not links to folders or nothing", async () => {
    mkdirSync(join(dir, "people", "ann"), { recursive: true });
    const outside = mkdtempSync(join(tmpdir(), "facedrift-elsewhere-"));
    try {
      writeFileSync(join(outside, "bob.jpg"), "x");
      writeFileSync(join(dir, "people", "ann", "ann_0001.jpg"), "x");
      writeFileSync(join(dir, "notes.txt"), "x");
      // A dataset assembled from links, as LFW subsets often are.
      symlinkSync(join(outside, "bob.jpg"), join(dir, "people", "bob_0001.jpg"));
      symlinkSync(join(outside, "missing.jpg"), join(dir, "people", "gone.jpg"));
      symlinkSync(join(dir, "people"), join(dir, "loop.png"));
      expect(await listImages(dir)).toEqual(["people/ann/ann_0001.jpg", "people/bob_0001.jpg"]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
