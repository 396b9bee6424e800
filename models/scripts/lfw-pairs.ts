/**
 * @module
 * LFW pair handling shared by the evaluation scripts: reading `pairs.tsv`, a balanced subset, and
 * scoring pairs from per-image embeddings with @facedrift/stats' verification metrics.
 */
import { readFile } from "node:fs/promises";
import { verificationMetrics } from "@facedrift/stats";
import { cosineSimilarity } from "../src/index.ts";

/** One verification pair; paths are relative to the images folder. */
export interface Pair {
  readonly left: string;
  readonly right: string;
  readonly same: boolean;
}

/** Per-image embeddings, by embedder id. */
export type EmbeddingsByImage = ReadonlyMap<string, Readonly<Record<string, Float32Array>>>;

/** Reads `left<TAB>right<TAB>same` rows after a header line. */
export async function readPairs(file: string): Promise<Pair[]> {
  const rows = (await readFile(file, "utf8")).trim().split("\n").slice(1);
  return rows.map((row) => {
    const [left = "", right = "", same = ""] = row.split("\t");
    return { left, right, same: same.trim() === "1" };
  });
}

/** The first `count / 2` genuine and first `count / 2` impostor pairs, so a quick run stays balanced. */
export function balancedSubset(pairs: readonly Pair[], count: number): Pair[] {
  const half = Math.ceil(count / 2);
  return [...pairs.filter((p) => p.same).slice(0, half), ...pairs.filter((p) => !p.same).slice(0, half)];
}

/** The distinct images the pairs need. */
export function imagesOf(pairs: readonly Pair[]): string[] {
  return [...new Set(pairs.flatMap((p) => [p.left, p.right]))];
}

/**
 * AUC, EER and TAR@FAR of one embedder from cosine similarity. A pair with an image where no face
 * was found scores −1, i.e. it counts as a rejection rather than being dropped.
 */
export function scorePairs(pairs: readonly Pair[], embeddings: EmbeddingsByImage, embedderId: string) {
  const scores = pairs.map((p) => {
    const a = embeddings.get(p.left)?.[embedderId];
    const b = embeddings.get(p.right)?.[embedderId];
    return a && b ? cosineSimilarity(a, b) : -1;
  });
  const { auc, eer, tarAtFar } = verificationMetrics(
    scores,
    pairs.map((p) => (p.same ? 1 : 0)),
  );
  return { pairs: pairs.length, auc, eer, tarAtFar };
}
