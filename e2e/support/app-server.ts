/**
 * @module
 * Serves the built web app (`web/build/`) and forwards `/v1/*` to the API, so the page and the API
 * share one origin, as they will when the Hono server serves the app. The forwarding can be told
 * to lose responses: the request reaches the API, the browser sees a network error. That is how a
 * journey proves a retry is stored once.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, request as forward, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wasm": "application/wasm",
  ".onnx": "application/octet-stream",
};

export interface AppServer {
  readonly url: string;
  /** Takes the site down (the port stays reserved for `start()`), as a lost connection would. */
  stop(): Promise<void>;
  /** Serves again on the same port, so the origin (and its service worker and storage) is unchanged. */
  start(): Promise<void>;
  /** When set, `/v1/` POSTs are forwarded but their responses are dropped (the socket is destroyed). */
  loseResponses: boolean;
  /** Ingest POSTs whose responses reached the browser, and those that were lost. */
  readonly ingest: { delivered: number; lost: number };
  close(): Promise<void>;
}

export async function startAppServer(options: { dir: string; apiPort: number }): Promise<AppServer> {
  const state = { loseResponses: false, ingest: { delivered: 0, lost: 0 } };
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0] as string);
    if (path.startsWith("/v1/")) {
      const isIngest = req.method === "POST";
      const upstream = forward(
        { host: "127.0.0.1", port: options.apiPort, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          if (isIngest && state.loseResponses) {
            state.ingest.lost++;
            answer.resume();
            answer.on("end", () => res.destroy());
            return;
          }
          if (isIngest) state.ingest.delivered++;
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => {
        res.writeHead(502, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "unavailable", message: "the API is down" } }));
      });
      req.pipe(upstream);
      return;
    }
    const file = resolveFile(options.dir, path);
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
    });
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  const port = await listen(0);
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    stop: close,
    start: async () => {
      await listen(port);
    },
    close,
  });
}

/** The file for a URL path: exact, then `.html` (prerendered pages), then the SPA fallback. */
function resolveFile(dir: string, path: string): string {
  const safe = normalize(path).replace(/^(\.\.[/\\])+/, "");
  for (const candidate of [join(dir, safe), join(dir, `${safe}.html`), join(dir, safe, "index.html")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return join(dir, "200.html");
}
