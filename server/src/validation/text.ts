/**
 * @module
 * The one Unicode rule for every text that reaches storage: ids, names, notes, metadata keys and
 * values, query parameters, file names.
 *
 * - No U+0000: PostgreSQL `text` and `jsonb` cannot hold it, so it used to surface as a 500.
 * - No lone surrogate (a UTF-16 half without its partner): it has no UTF-8 encoding, so the
 *   database driver writes U+FFFD in its place. Two different ids (`"x\uD800"` and `"x\uFFFD"`)
 *   then became one stored value, and the idempotency ledger acknowledged an item it never stored.
 *
 * Strings decoded from UTF-8 bytes cannot hold a lone surrogate; JSON's `\uD800` escape and
 * JavaScript callers can. Both rules are checked in native code (`includes`, `isWellFormed`),
 * which matters for the 30 MB base64 string of a reference file.
 */

interface WellFormed {
  /** ES2024; in Node since 20. */
  isWellFormed(): boolean;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` cannot be stored, or null when it can. */
export function textProblem(text: string): string | null {
  const nul = text.indexOf("\u0000");
  if (nul >= 0) return `must not contain the NUL character (U+0000), found at index ${nul}`;
  if (!(text as unknown as WellFormed).isWellFormed()) {
    const at = LONE_SURROGATE.exec(text)?.index ?? 0;
    return `must be well-formed Unicode: a lone surrogate (U+${text.charCodeAt(at).toString(16).toUpperCase()}) at index ${at} has no UTF-8 form`;
  }
  return null;
}

/** Length in code points, so a limit of "128 characters" means what it says for any script. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
