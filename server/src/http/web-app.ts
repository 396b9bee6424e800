/**
 * Serves the built SvelteKit app (`web/build/`, adapter-static) on the API's origin, so the
 * capture page and the dashboard reach `/v1` without CORS: prerendered pages by their path
 * (`/capture` → `capture.html`), assets with long-lived caching where their names are hashed,
 * and `200.html` (the SPA fallback) for every other page route.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, Next } from "hono";
import type { AppEnv } from "./env.ts";

const API_PREFIXES = ["/v1/", "/metrics", "/openapi.json", "/healthz", "/readyz"];
const isApi = (path: string) =>
  API_PREFIXES.some((prefix) => path === prefix.replace(/\/$/, "") || path.startsWith(prefix));
const isFile = (path: string) => /\.[a-z0-9]+$/i.test(path);
/**
 * A browser navigating (Accept: text/html) to a path that looks like a file but is none is an app
 * route with a dot in it, e.g. the stream page of a stream named `cam.1`: it gets the app. A
 * script or stylesheet asking for a missing file still gets a 404, not HTML.
 */
const isNavigation = (c: Context<AppEnv>) => (c.req.header("accept") ?? "").includes("text/html");

/**
 * serveStatic plus caching: hashed names under _app/immutable never change; everything else is
 * revalidated, the service worker above all (browsers would otherwise keep an old one for up to a
 * day). The header goes on the finished response: serveStatic builds it before onFound runs.
 */
function staticFiles(options: {
  root: string;
  path?: string;
  rewriteRequestPath?: (path: string) => string;
}) {
  return async (c: Context<AppEnv>, next: Next) => {
    let found: string | undefined;
    const onFound = (path: string) => {
      found = path;
    };
    const response = await serveStatic<AppEnv>({ ...options, onFound })(c, next);
    if (found !== undefined) {
      const immutable = found.includes("/_app/immutable/");
      c.res.headers.set("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
    }
    return response;
  };
}

export function serveWebApp(app: OpenAPIHono<AppEnv>, root: string): void {
  if (!existsSync(join(root, "200.html")))
    throw new Error(`no built web app in ${root} (run npm run build -w web)`);
  const files = staticFiles({ root });
  const pages = staticFiles({ root, rewriteRequestPath: (path) => `${path.replace(/\/$/, "")}.html` });
  const fallback = staticFiles({ root, path: "200.html" });
  app.use("/*", async (c, next) => (isApi(c.req.path) ? next() : files(c, next)));
  app.use("/*", async (c, next) => (isApi(c.req.path) || isFile(c.req.path) ? next() : pages(c, next)));
  app.get("/*", async (c, next) =>
    isApi(c.req.path) || (isFile(c.req.path) && !isNavigation(c)) ? next() : fallback(c, next),
  );
}
