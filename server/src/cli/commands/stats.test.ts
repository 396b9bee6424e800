import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const bin = join(import.meta.dirname, "../../../bin/facedrift.mjs");
const runCli = (args: string[], input: string) =>
  spawnSync(process.execPath, [bin, ...args], { input, encoding: "utf8", timeout: 60_000 });

describe("facedrift stats (the real binary)", () => {
  it("prints one JSON object for a good input", () => {
    const result = runCli(
      ["stats", "ks"],
      JSON.stringify({ sample1: [1, 2, 3, 4], sample2: [3, 4, 5, 6, 7] }),
    );
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ statistic: 0.6, pvalue: 0.2857142857142857 });
  });

  it("exits non-zero with one line naming the problem for bad input", () => {
    const result = runCli(["stats", "psi"], '{"ref": [1, 2, 3], "new": [1, NaN]}');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toEqual([
      "facedrift stats psi: new[1] must be a finite number, got NaN",
    ]);
  });

  it("names an unknown statistic", () => {
    const result = runCli(["stats", "anova"], "{}");
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unknown statistic "anova"; expected one of adwin\|pca\|ks\|psi\|mmd\|auc/);
  });
});
