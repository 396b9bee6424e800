/**
 * @module
 * The text rule (`validation/text.ts`) for what arrives in the URL: the path and every query
 * parameter. A `%00` in `?model=` reached PostgreSQL and came back as a 500. Percent-decoding
 * cannot produce a lone surrogate (invalid UTF-8 fails or becomes U+FFFD), but it can produce NUL.
 */
import type { MiddlewareHandler } from "hono";
import { FacedriftError } from "../../errors.ts";
import { textProblem } from "../../validation/text.ts";
import type { AppEnv } from "../env.ts";

function decodedPath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname; // not decodable: routes see it raw, and no route pattern matches it
  }
}

export function checkUrlText(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const pathProblem = textProblem(decodedPath(url.pathname));
    if (pathProblem)
      throw new FacedriftError("invalid_request", `the path ${pathProblem}`, { field: "path" });
    for (const [name, value] of url.searchParams) {
      const why = textProblem(name) ?? textProblem(value);
      if (why) throw new FacedriftError("invalid_request", `${name}: ${why}`, { field: name });
    }
    await next();
  };
}
