/**
 * @module
 * Where the API turns row ids into public ids and back (`ids/public-ids.ts`). Response schemas
 * mark each id field with `publicIdSchema(kind)`; `publicIdsOut` walks a response along its
 * schema and encodes the marked fields, so a route cannot forget a nested id (`public-ids.test.ts`
 * checks that every id-like integer in the OpenAPI document is marked). Path ids and cursors are
 * decoded with `internalId`.
 */
import { z } from "@hono/zod-openapi";
import { FacedriftError } from "../errors.ts";
import type { IdKind, PublicIds } from "../ids/public-ids.ts";

/** The OpenAPI extension that names a field's id kind (and says it is opaque). */
export const PUBLIC_ID_EXTENSION = "x-facedrift-id";

const marks = new WeakMap<z.ZodType, IdKind>();
const freeForms = new WeakSet<z.ZodType>();

/**
 * The keys under which detectors put row ids into free-form JSON (an alert's payload, a run's
 * results, a drift event's details): encoded wherever they appear in a `publicIdRecord`.
 */
export const FREE_FORM_ID_KEYS: Readonly<Record<string, IdKind>> = {
  runId: "drift-run",
  driftRunId: "drift-run",
  driftEventId: "drift-event",
  referenceSetId: "reference",
  verificationRunId: "verification-run",
  alertId: "alert",
  incidentId: "incident",
  imageJobId: "image-job",
};

/** A free-form JSON object whose `FREE_FORM_ID_KEYS`, at any depth, are public ids. */
export function publicIdRecord(description: string) {
  const schema = z.record(z.string(), z.unknown()).openapi({
    description: `${description}. Ids in it (${Object.keys(FREE_FORM_ID_KEYS).join(", ")}) are public ids`,
  });
  freeForms.add(schema);
  return schema;
}

function encodeFreeForm(ids: PublicIds, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => encodeFreeForm(ids, item));
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      const kind = FREE_FORM_ID_KEYS[key];
      if (kind && typeof item === "number" && Number.isSafeInteger(item) && item >= 1) {
        return [key, ids.encode(kind, item)];
      }
      return [key, encodeFreeForm(ids, item)];
    }),
  );
}

const OPAQUE =
  "Opaque id: an integer in [1, 2^52], unique among this kind, that says nothing about how many rows exist or in what order they were made";

/**
 * An id field of `kind` in a response. Place the result as is (wrapping it in `.nullable()` or
 * `.optional()` is fine; calling `.openapi()` on it again would lose the mark).
 */
export function publicIdSchema(kind: IdKind, description?: string) {
  const schema = z
    .number()
    .int()
    .min(1)
    .openapi({
      description: description ? `${description}. ${OPAQUE}` : OPAQUE,
      example: 3_180_734_591_806_271,
      [PUBLIC_ID_EXTENSION]: kind,
    });
  marks.set(schema, kind);
  return schema;
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  left?: z.ZodType;
  right?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  getter?: () => z.ZodType;
  valueType?: z.ZodType;
};

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function walk(ids: PublicIds, schema: z.ZodType, value: unknown): unknown {
  const kind = marks.get(schema);
  if (kind) return typeof value === "number" ? ids.encode(kind, value) : value;
  if (freeForms.has(schema)) return encodeFreeForm(ids, value);
  if (value === null || value === undefined) return value;
  const def = defOf(schema);
  switch (def.type) {
    case "object": {
      if (!isPlainObject(value) || !def.shape) return value;
      const out: Record<string, unknown> = { ...value };
      for (const [key, field] of Object.entries(def.shape)) {
        if (key in value) out[key] = walk(ids, field, value[key]);
      }
      return out;
    }
    case "array":
      return Array.isArray(value) && def.element
        ? value.map((item) => walk(ids, def.element as z.ZodType, item))
        : value;
    case "record": {
      if (!isPlainObject(value) || !def.valueType) return value;
      const valueType = def.valueType;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(ids, valueType, v)]));
    }
    case "intersection": {
      // The two sides name different fields (Incident & its timeline): take each side's changes.
      const left = walk(ids, def.left as z.ZodType, value);
      const right = walk(ids, def.right as z.ZodType, value);
      if (!isPlainObject(value) || !isPlainObject(left) || !isPlainObject(right)) return left;
      const out: Record<string, unknown> = { ...value };
      for (const key of Object.keys(value)) {
        out[key] = left[key] !== value[key] ? left[key] : right[key];
      }
      return out;
    }
    case "union": {
      const option = def.options?.find((o) => o.safeParse(value).success);
      return option ? walk(ids, option, value) : value;
    }
    case "pipe":
      return walk(ids, def.in as z.ZodType, value);
    case "lazy":
      return walk(ids, (def.getter as () => z.ZodType)(), value);
    default:
      return def.innerType ? walk(ids, def.innerType, value) : value;
  }
}

/** `value` (shaped like `schema`) with every marked id field encoded. */
export function publicIdsOut<T>(ids: PublicIds, schema: z.ZodType, value: T): T {
  return walk(ids, schema, value) as T;
}

/**
 * The row id behind a public id from a path, query or body; an id no row could have is treated
 * like an id of another tenant's row: `not_found` naming `field`.
 */
export function internalId(ids: PublicIds, kind: IdKind, publicId: number, field = "id"): number {
  const id = ids.decode(kind, publicId);
  if (id === null) throw new FacedriftError("not_found", `no such ${kind}`, { field });
  return id;
}

/** A listing's `before` cursor (a public id of `kind`) as a row id; one no row could have is a 400. */
export function cursorId(
  ids: PublicIds,
  kind: IdKind,
  before: number | undefined,
  field = "before",
): number | undefined {
  if (before === undefined) return undefined;
  const id = ids.decode(kind, before);
  if (id === null)
    throw new FacedriftError("invalid_request", `${field}: not a cursor this listing gave`, { field });
  return id;
}
