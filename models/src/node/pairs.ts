/**
 * @module
 * Reads a pairs table from disk; the parsing itself is host-agnostic (`../verification/pairs.ts`).
 */
import { readFile } from "node:fs/promises";
import { type Pair, parsePairs } from "../verification/pairs.ts";

/** Reads and parses `left<TAB>right<TAB>same` rows after a header line. */
export async function readPairs(file: string): Promise<Pair[]> {
  return parsePairs(await readFile(file, "utf8"), file);
}
