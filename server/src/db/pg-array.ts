/**
 * Formats values as a PostgreSQL array literal (`{"a","b",NULL}`) to pass as ONE text parameter
 * and cast in SQL (`$1::text[]`). postgres.js serializes JS arrays only for types it has
 * introspected, which fails against some servers (PGlite's socket server among them); a literal
 * works with every driver and costs one pass over the strings.
 */
export function pgArrayLiteral(values: readonly (string | number | null | undefined)[]): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ",";
    const v = values[i];
    if (v === null || v === undefined) out += "NULL";
    else if (typeof v === "number") out += String(v);
    else out += `"${v.replace(/[\\"]/g, "\\$&")}"`;
  }
  return `${out}}`;
}
