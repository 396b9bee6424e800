/**
 * Mechanical checks of what ARCHITECTURE.md promises: dependencies point inward (the statistics
 * and kernels import nothing from the apps, and pure math does no I/O), and every repository
 * path the document names exists.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name === "build" || name === ".svelte-kit") return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|svelte)$/.test(name) ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1] as string);
}

const isTestOnly = (file: string) => /\.test\.ts$|\.case\.ts$|\/testing\//.test(file);

/** Workspace → the workspaces it may import. */
const ALLOWED: Record<string, string[]> = {
  "wasm-kernels": [],
  stats: ["wasm-kernels"],
  models: ["stats", "wasm-kernels"],
  server: ["stats", "wasm-kernels", "models"],
  web: ["stats", "wasm-kernels", "models"],
};

describe("dependency direction", () => {
  for (const [workspace, allowed] of Object.entries(ALLOWED)) {
    it(`${workspace}/src imports only ${allowed.join(", ") || "no other workspace"}`, () => {
      const offending = sourceFiles(join(root, workspace, "src")).flatMap((file) =>
        imports(file)
          .filter((spec) => spec.startsWith("@facedrift/"))
          .filter((spec) => !allowed.includes(spec.slice("@facedrift/".length).split("/")[0] as string))
          .map((spec) => `${relative(root, file)} → ${spec}`),
      );
      expect(offending).toEqual([]);
    });
  }

  it("the statistics and kernels do no I/O outside their tests", () => {
    const io = /^(node:)?(fs|fs\/promises|net|http|https|child_process|worker_threads|dgram)$/;
    const offending = ["stats/src", "wasm-kernels/src"].flatMap((dir) =>
      sourceFiles(join(root, dir))
        .filter((file) => !isTestOnly(file))
        .flatMap((file) =>
          imports(file)
            .filter((spec) => io.test(spec))
            .map((spec) => `${relative(root, file)} → ${spec}`),
        ),
    );
    expect(offending).toEqual([]);
  });

  it("no statistic reads the clock or an unseeded RNG", () => {
    const offending = sourceFiles(join(root, "stats/src"))
      .filter((file) => !isTestOnly(file))
      .filter((file) => /Math\.random\(|Date\.now\(|new Date\(/.test(readFileSync(file, "utf8")));
    expect(offending.map((f) => relative(root, f))).toEqual([]);
  });
});

describe("ARCHITECTURE.md", () => {
  it("names only paths that exist", () => {
    const text = readFileSync(join(root, "ARCHITECTURE.md"), "utf8");
    const tops = ["web/", "server/", "wasm-kernels/", "models/", "e2e/", "stats/", "bench/", ".ci/"];
    // What builds and test runs write (the web app's build, Playwright's report and screenshots)
    // exists only after them; the document may name it without this test depending on order.
    const generated = ["web/build", "e2e/artifacts/"];
    const paths = [...text.matchAll(/`([^`\s]+)`/g)]
      .map((m) => (m[1] as string).replace(/[:#].*$/, ""))
      .filter((p) => tops.some((t) => p.startsWith(t)) && !p.includes("*") && !p.includes("<"))
      .filter((p) => !generated.some((g) => p.startsWith(g)));
    expect(paths.length).toBeGreaterThan(10);
    expect(paths.filter((p) => !existsSync(join(root, p)))).toEqual([]);
  });
});
