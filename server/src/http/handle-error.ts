import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import { isDatabaseUnavailable } from "../db/outage.ts";
import { type ErrorCode, FacedriftError } from "../errors.ts";
import type { AppEnv } from "./env.ts";

/** The one error body every endpoint returns. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string; item?: number };
}

/** Hono raises these itself (body parsing, content type, body limit); give them our codes. */
function fromHttpException(e: HTTPException): FacedriftError {
  if (e.status === 415) {
    return new FacedriftError("unsupported_media_type", "send the body as application/json");
  }
  if (e.status === 413) return new FacedriftError("payload_too_large", "the request body is too large");
  if (e.status === 400 && /json/i.test(e.message)) {
    return new FacedriftError("invalid_json", "the request body is not valid JSON");
  }
  const code = e.status === 401 ? "unauthorized" : e.status === 404 ? "not_found" : "invalid_request";
  return new FacedriftError(code, e.message || "bad request");
}

/** Seconds a client is asked to wait when the database is down (a restart takes a few). */
export const UNAVAILABLE_RETRY_AFTER_S = 5;

/** `["items", 3, "embedding"]` → `items[3].embedding`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Turns the first zod issue into an error naming the field (and the item, for batch bodies). */
export function fromZodError(error: ZodError, target: string): FacedriftError {
  const issue = error.issues[0];
  if (!issue) return new FacedriftError("invalid_request", `invalid ${target}`);
  // An unknown key is named by the key itself (`pairs`), not by the object holding it.
  const path =
    issue.code === "unrecognized_keys" && issue.keys[0] !== undefined
      ? [...issue.path, issue.keys[0]]
      : issue.path;
  const field = formatPath(path);
  const item = path[0] === "items" && typeof path[1] === "number" ? path[1] : undefined;
  const where = field || target;
  return new FacedriftError("invalid_request", `${where}: ${issue.message}`, {
    field: field || undefined,
    item,
  });
}

export function handleError(error: unknown, c: Context<AppEnv>): Response {
  let known: FacedriftError;
  if (error instanceof FacedriftError) known = error;
  else if (error instanceof HTTPException) known = fromHttpException(error);
  else if (isDatabaseUnavailable(error)) {
    // Nothing was written (each request is one transaction): the client should retry, not report a bug.
    c.var.log?.("warn", "database unavailable", {
      method: c.req.method,
      path: c.req.path,
      error: error instanceof Error ? error.message : String(error),
    });
    known = new FacedriftError("unavailable", "the database is unavailable; retry shortly");
  } else {
    c.var.log?.("error", "unhandled error", {
      method: c.req.method,
      path: c.req.path,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    known = new FacedriftError("internal", "internal error");
  }
  if (known.code === "unavailable") c.header("Retry-After", String(UNAVAILABLE_RETRY_AFTER_S));
  const body: ErrorBody = { error: { code: known.code, message: known.message } };
  if (known.field !== undefined) body.error.field = known.field;
  if (known.item !== undefined) body.error.item = known.item;
  return c.json(body, known.status as ContentfulStatusCode);
}
