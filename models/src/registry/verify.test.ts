import { describe, expect, it } from "vitest";
import { ModelError } from "../errors.ts";
import { nodeFileSource } from "../node/files.ts";
import { CATALOG } from "./catalog.ts";
import { loadVerifiedFiles, sha256Hex } from "./verify.ts";

describe("sha256Hex", () => {
  it("matches the FIPS 180-2 test vector for 'abc'", async () => {
    expect(await sha256Hex(new TextEncoder().encode("abc"))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});

describe("catalog", () => {
  const source = nodeFileSource();

  it.each(Object.values(CATALOG).map((entry) => [entry.id, entry] as const))(
    "%s: every file in the installed package matches its registry hash",
    async (_id, entry) => {
      const files = await loadVerifiedFiles(entry, source);
      expect([...files.keys()]).toEqual(entry.files.map((f) => f.path));
    },
  );

  it("refuses a file whose bytes differ from the registry", async () => {
    const entry = CATALOG["faceplugin-landmark68"];
    if (!entry) throw new Error("catalog lost faceplugin-landmark68");
    const tampered = async () => new Uint8Array([1, 2, 3]);
    const failure = await loadVerifiedFiles(entry, tampered).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ModelError);
    expect((failure as ModelError).code).toBe("checksum-mismatch");
    expect((failure as ModelError).message).toMatch(/fr_landmark\.onnx/);
  });

  it("gives embedders a template and a dimension", () => {
    for (const entry of Object.values(CATALOG).filter((e) => e.role === "embedder")) {
      expect(entry.template, entry.id).toHaveLength(5);
      expect(entry.output.dimension, entry.id).toBeGreaterThan(1);
    }
  });
});
