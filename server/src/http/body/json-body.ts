/**
 * @module
 * The one reader of JSON request bodies. `guard-routes.ts` puts it after each route's own
 * middleware, so the credential is checked (and the caller's request budget charged) before a
 * byte of the body is read. It then:
 *
 * - accepts only `application/json`, with no parameter but `charset=utf-8` (RFC 8259 §8.1: JSON
 *   between systems is UTF-8); `application/vnd.api+json` or `charset=utf-16` used to be parsed
 *   as if they were plain UTF-8 JSON;
 * - reads at most the route's limit (`c.var.bodyLimit`, else `maxBodyBytes`), as it arrives;
 * - decodes UTF-8 strictly, so broken bytes are a 400 instead of silently becoming U+FFFD;
 * - parses, and walks the value once (`validation/json-tree.ts`): nesting depth, NUL and lone
 *   surrogates anywhere, keys included, each a 400 naming the field.
 *
 * The parsed value then serves Hono's `c.req.json()`, which the routes' zod validators call, so
 * the body is parsed once.
 */
import type { MiddlewareHandler } from "hono";
import { FacedriftError } from "../../errors.ts";
import { checkJsonTree, MAX_JSON_DEPTH } from "../../validation/json-tree.ts";
import type { AppEnv } from "../env.ts";
import { readLimited } from "./read-limited.ts";

/** Null when `header` is a JSON media type this server reads, else why not. */
export function jsonMediaTypeProblem(header: string): string | null {
  const [essence = "", ...parameters] = header.split(";").map((part) => part.trim());
  if (essence.toLowerCase() !== "application/json") return `${essence || "(none)"} is not application/json`;
  for (const parameter of parameters) {
    if (parameter === "") continue;
    const [name = "", value = ""] = parameter.split("=").map((part) => part.trim());
    if (name.toLowerCase() !== "charset") return `unexpected media type parameter "${name}"`;
    if (value.replace(/^"(.*)"$/, "$1").toLowerCase() !== "utf-8") {
      return `charset=${value} is not supported; send UTF-8`;
    }
  }
  return null;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function jsonBody(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const contentType = c.req.header("content-type");
    // No body, or one without a type: the route's validator answers (400 or 415).
    if (contentType === undefined || c.req.raw.body === null) return next();
    const why = jsonMediaTypeProblem(contentType);
    if (why) {
      throw new FacedriftError("unsupported_media_type", `send the body as application/json: ${why}`, {
        field: "content-type",
      });
    }
    const limit = c.var.bodyLimit ?? c.var.config.maxBodyBytes;
    const bytes = await readLimited(
      c.req.raw,
      limit,
      () => new FacedriftError("payload_too_large", `the request body exceeds ${limit} bytes`),
    );
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch (error) {
      throw new FacedriftError("invalid_json", "the request body is not valid UTF-8", { cause: error });
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new FacedriftError("invalid_json", "the request body is not valid JSON", { cause: error });
    }
    const problem = checkJsonTree(value, { maxDepth: MAX_JSON_DEPTH });
    if (problem) {
      const where = problem.path || "body";
      const item = /^items\[(\d+)\]/.exec(problem.path)?.[1];
      throw new FacedriftError("invalid_request", `${where}: ${problem.message}`, {
        field: problem.path || undefined,
        item: item === undefined ? undefined : Number(item),
      });
    }
    // Hono's validators read `c.req.json()`; answer it with the value already parsed and checked.
    const parsed = Promise.resolve(value);
    Object.defineProperty(c.req, "json", { value: () => parsed, configurable: true });
    return next();
  };
}

/** Sets a route's own body limit (read by {@link jsonBody} and the multipart reader). */
export function ownBodyLimit(
  limitOf: (config: AppEnv["Variables"]["config"]) => number,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("bodyLimit", limitOf(c.var.config));
    await next();
  };
}
