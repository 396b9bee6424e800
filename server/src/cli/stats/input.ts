/**
 * Reading the one JSON object `facedrift stats` takes on stdin, with errors that name the field.
 *
 * JSON has no NaN or Infinity, but Python's `json.dumps` writes them as bare tokens, and that is
 * exactly the bad input a data scientist pipes in by accident. Rather than fail with "Unexpected
 * token N", such tokens are read as markers so the message can say `values[3] is NaN`.
 */
const NON_FINITE = new Map([
  ["NaN", "\u0000NaN"],
  ["Infinity", "\u0000Infinity"],
  ["-Infinity", "\u0000-Infinity"],
]);

export class InputError extends Error {}

export function parseInput(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(markNonFinite(text));
  } catch (error) {
    throw new InputError(`input is not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InputError("input must be one JSON object");
  }
  return value as Record<string, unknown>;
}

/** Replaces bare NaN/Infinity tokens outside strings by marker strings. */
function markNonFinite(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"|-?\b(?:NaN|Infinity)\b/g, (token) =>
    NON_FINITE.has(token) ? JSON.stringify(NON_FINITE.get(token)) : token,
  );
}

function describe(value: unknown): string {
  if (typeof value === "string" && value.startsWith("\u0000")) return value.slice(1);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? `the string ${JSON.stringify(value)}` : `a ${typeof value}`;
}

export function field(input: Record<string, unknown>, name: string): unknown {
  if (!(name in input) || input[name] === undefined) throw new InputError(`missing field "${name}"`);
  return input[name];
}

export function finiteNumber(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new InputError(`${path} must be a finite number, got ${describe(value)}`);
  }
  return value;
}

export function positiveInteger(value: unknown, path: string, min = 1): number {
  const n = finiteNumber(value, path);
  if (!Number.isInteger(n) || n < min) throw new InputError(`${path} must be an integer ≥ ${min}, got ${n}`);
  return n;
}

/** A non-empty array of finite numbers (nested arrays are flattened for matrices given as rows). */
export function numberArray(value: unknown, path: string, { allowEmpty = false } = {}): Float64Array {
  if (!Array.isArray(value))
    throw new InputError(`${path} must be an array of numbers, got ${describe(value)}`);
  if (value.length === 0 && !allowEmpty) throw new InputError(`${path} is empty`);
  const out = new Float64Array(value.length);
  value.forEach((v, i) => {
    out[i] = finiteNumber(v, `${path}[${i}]`);
  });
  return out;
}

/** A matrix given flat with a shape field, or as an array of equal-length rows. */
export function matrix(
  input: Record<string, unknown>,
  name: string,
  shapeName: string,
): { data: Float64Array; rows: number; cols: number } {
  const raw = field(input, name);
  if (Array.isArray(raw) && raw.length > 0 && Array.isArray(raw[0]) && !(shapeName in input)) {
    const cols = (raw[0] as unknown[]).length;
    raw.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== cols)
        throw new InputError(`${name}[${i}] must be a row of ${cols} numbers`);
    });
    const data = numberArray(raw.flat(), name);
    return { data, rows: raw.length, cols };
  }
  const data = numberArray(raw, name);
  const shape = field(input, shapeName);
  if (!Array.isArray(shape) || shape.length !== 2)
    throw new InputError(`${shapeName} must be [rows, columns]`);
  const rows = positiveInteger(shape[0], `${shapeName}[0]`);
  const cols = positiveInteger(shape[1], `${shapeName}[1]`);
  if (rows * cols !== data.length) {
    throw new InputError(
      `${name} has ${data.length} values but ${shapeName} ${rows}×${cols} needs ${rows * cols}`,
    );
  }
  return { data, rows, cols };
}
