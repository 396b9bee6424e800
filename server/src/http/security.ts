/**
 * Browser-facing protections in one place: security headers and explicit CORS. Request budgets
 * are in `rate-limit.ts`.
 */
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./env.ts";

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
].join("; ");

/**
 * Security headers for the API and the web app it serves. The CSP keeps everything same-origin
 * but allows what the face pipeline needs: WebAssembly compilation ('wasm-unsafe-eval', not
 * 'unsafe-eval'), module workers and their blob: URLs, and camera frames drawn from blob:/data:.
 * HTML pages of the web app carry the same policy in a <meta> tag that SvelteKit extends with the
 * hashes of its inline bootstrap scripts (`web/svelte.config.js`); a header without those hashes
 * would block them, so HTML responses get the meta policy only (plus X-Frame-Options, since a
 * meta CSP cannot set frame-ancestors).
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  const common = secureHeaders({
    contentSecurityPolicy: undefined,
    crossOriginEmbedderPolicy: false,
    xFrameOptions: "DENY",
  });
  return async (c, next) => {
    await common(c, async () => {
      await next();
      if (!(c.res.headers.get("content-type") ?? "").startsWith("text/html")) {
        c.res.headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
      }
    });
  };
}

/** CORS only for the configured origins; with none configured, no cross-origin access at all. */
export function corsForOrigins(origins: string[]): MiddlewareHandler<AppEnv> {
  const allowed = new Set(origins);
  return cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ["GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type", "X-CSRF-Token"],
    exposeHeaders: ["Retry-After"],
    credentials: true,
    maxAge: 600,
  });
}
