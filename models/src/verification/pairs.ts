/**
 * @module
 * Labelled verification pairs: the `left<TAB>right<TAB>same` table (`pairs.tsv`, LFW's View 1
 * converted, see `../shared/data/faces/SOURCE.md`) that the `facedrift verify` job and the LFW
 * evaluation script both read. Parsing is strict and names the line, because a silently
 * mislabelled row changes the AUC without any other symptom.
 *
 * @example
 * parsePairs("left\tright\tsame\na/a_1.jpg\ta/a_2.jpg\t1\n");
 * // [{ left: "a/a_1.jpg", right: "a/a_2.jpg", same: true }]
 */
import { ModelError } from "../errors.ts";

/** One verification pair; paths are relative to the images folder. */
export interface Pair {
  readonly left: string;
  readonly right: string;
  readonly same: boolean;
}

const HEADER = ["left", "right", "same"];

/** Parses the table; throws `invalid-pairs` naming `source:line` on the first bad row. */
export function parsePairs(text: string, source = "pairs"): Pair[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").split("\t").map((field) => field.trim());
  if (header.join("\t") !== HEADER.join("\t")) {
    const got = (lines[0] ?? "").slice(0, 60);
    throw invalid(source, 1, `the header must be "left<TAB>right<TAB>same", got "${got}"`);
  }
  const pairs: Pair[] = [];
  for (const [index, line] of lines.entries()) {
    if (index === 0 || line.trim() === "") continue;
    const fields = line.split("\t").map((field) => field.trim());
    const [left = "", right = "", same = ""] = fields;
    if (fields.length !== 3 || left === "" || right === "") {
      throw invalid(
        source,
        index + 1,
        `expected 3 tab-separated fields (left, right, same), got "${line.slice(0, 80)}"`,
      );
    }
    if (same !== "0" && same !== "1") {
      throw invalid(source, index + 1, `same must be 0 or 1, got "${same}"`);
    }
    pairs.push({ left, right, same: same === "1" });
  }
  if (pairs.length === 0) throw invalid(source, 2, "no pairs after the header");
  return pairs;
}

function invalid(source: string, line: number, message: string): ModelError {
  return new ModelError("invalid-pairs", `${source}:${line}: ${message}`);
}

/** The first `count / 2` genuine and first `count / 2` impostor pairs, so a quick run stays balanced. */
export function balancedSubset(pairs: readonly Pair[], count: number): Pair[] {
  const half = Math.ceil(count / 2);
  return [...pairs.filter((p) => p.same).slice(0, half), ...pairs.filter((p) => !p.same).slice(0, half)];
}

/** The distinct images the pairs need, in first-use order. */
export function imagesOf(pairs: readonly Pair[]): string[] {
  return [...new Set(pairs.flatMap((p) => [p.left, p.right]))];
}
