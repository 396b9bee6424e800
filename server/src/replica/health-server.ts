/**
 * @module
 * The replica's probe endpoints. A replica serves no API, so it had no probe: a Chromium page
 * hung on one image, or a browser that never came up, went unnoticed until someone read the logs.
 * `facedrift replica --health-port N` answers, on that port only:
 *
 * - `GET /healthz` — 200 while the job loop runs and showed a sign of life within its stall
 *   limit (`ReplicaWorker.health()`), else 503: the liveness probe, so a stalled pod is restarted
 *   and its job's lease runs out for another replica to take over;
 * - `GET /readyz` — 200 when, besides, the browser page is open and the last poll reached the
 *   database, else 503: the readiness probe (rollouts wait for it; the PodDisruptionBudget
 *   counts ready pods).
 *
 * Plain `node:http`, no Hono app: two fixed paths, nothing to authenticate (the answer names no
 * tenant or data), and the replica should not carry the API's middleware for them.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ReplicaHealth } from "./worker.ts";

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export function serveReplicaHealth(
  health: () => ReplicaHealth,
  options: { port: number; host?: string },
): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "").split("?")[0];
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path !== "/healthz" && path !== "/readyz") {
      response.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    const state = health();
    const ok = path === "/healthz" ? state.live : state.ready;
    response
      .writeHead(ok ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" })
      .end(JSON.stringify({ status: ok ? "ok" : "unavailable", ...state }));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
