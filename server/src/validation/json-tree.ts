/**
 * @module
 * One walk over a parsed JSON value that finds what no schema should have to: nesting deeper than
 * a limit (JSON.parse builds 100,000 levels happily; `JSON.stringify` and PostgreSQL's jsonb then
 * overflow their stacks, which was a 500) and keys or strings that break the text rule of
 * `text.ts`. The walk is iterative, so its own depth is not limited by the call stack.
 */
import { textProblem } from "./text.ts";

/**
 * Deepest JSON any input may be. A reference file nests 5 levels, alert rules and metadata less;
 * ingested metadata has a tighter limit of its own (`services/embeddings/decode.ts`).
 */
export const MAX_JSON_DEPTH = 32;

export interface JsonProblem {
  /** Where, as `items[3].metadata.note` (empty for the root). */
  path: string;
  message: string;
}

interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | undefined;
  key: string | number | undefined;
}

function pathOf(frame: Frame | undefined, lastKey?: string): string {
  const keys: (string | number)[] = lastKey === undefined ? [] : [lastKey];
  for (let f = frame; f && f.key !== undefined; f = f.parent) keys.unshift(f.key);
  return formatJsonPath(keys);
}

/** `["items", 3, "embedding"]` → `items[3].embedding`. */
export function formatJsonPath(keys: readonly (string | number)[]): string {
  let out = "";
  for (const key of keys) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${key}` : key;
  }
  return out;
}

/**
 * The first problem in `root` (depth-first, in document order), or null. Depth counts containers:
 * `{}` and `[1]` are depth 1, `{"a": {}}` depth 2. Keys are printed as given, so a key with a NUL
 * is reported by its parent's path.
 */
export function checkJsonTree(root: unknown, { maxDepth }: { maxDepth: number }): JsonProblem | null {
  const stack: Frame[] = [{ value: root, depth: 0, parent: undefined, key: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    const { value } = frame;
    if (typeof value === "string") {
      const why = textProblem(value);
      if (why) return { path: pathOf(frame), message: why };
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    const depth = frame.depth + 1;
    if (depth > maxDepth) {
      return { path: pathOf(frame), message: `nests deeper than ${maxDepth} levels` };
    }
    if (Array.isArray(value)) {
      // Pushed in reverse so the first element is looked at first; numbers need no frame.
      for (let i = value.length - 1; i >= 0; i--) {
        const item = value[i];
        if (typeof item === "string" || (item !== null && typeof item === "object")) {
          stack.push({ value: item, depth, parent: frame, key: i });
        }
      }
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string;
      const why = textProblem(key);
      if (why) return { path: pathOf(frame), message: `has a key that ${why}` };
      stack.push({ value: (value as Record<string, unknown>)[key], depth, parent: frame, key });
    }
  }
  return null;
}

/** How many container levels `root` nests (iterative, for values that may be very deep). */
export function jsonDepth(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (value === null || typeof value !== "object") continue;
    max = Math.max(max, depth + 1);
    for (const child of Object.values(value)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return max;
}
