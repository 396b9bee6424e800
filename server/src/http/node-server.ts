/**
 * @module
 * The Node HTTP server the API runs in, with the connection limits a public server needs. Node's
 * defaults let ~20,000 half-sent requests reach the file-descriptor limit (slow headers held for
 * ~90 s, slow bodies ~330 s, no cap on connections), after which no one could connect.
 *
 * - `headersTimeout`: a request's headers must arrive within it (Slowloris);
 * - `requestTimeout`: the whole request, body included; past it Node answers 408 and closes;
 * - `keepAliveTimeout`: how long an idle connection is kept for the next request;
 * - `maxConnections`: connections beyond it are closed as they are accepted, so the process
 *   keeps file descriptors for the ones it serves (set it below `ulimit -n`).
 *
 * Node checks the two request timeouts on an interval (`connectionsCheckingInterval`, 30 s by
 * default), so a 15 s limit could hold a socket for 45 s; the interval here is a tenth of the
 * headers timeout.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Config } from "../config/config.ts";

type Fetch = (request: Request, env: unknown) => Response | Promise<Response>;

export type ConnectionLimits = Pick<
  Config,
  "headersTimeoutMs" | "requestTimeoutMs" | "keepAliveTimeoutMs" | "maxConnections"
>;

export function listen(
  fetch: Fetch,
  options: { port: number; hostname: string } & ConnectionLimits,
  onListening?: (info: AddressInfo) => void,
): Server {
  const server = serve(
    {
      fetch,
      port: options.port,
      hostname: options.hostname,
      serverOptions: {
        headersTimeout: options.headersTimeoutMs,
        requestTimeout: options.requestTimeoutMs,
        keepAliveTimeout: options.keepAliveTimeoutMs,
        connectionsCheckingInterval: Math.max(100, Math.floor(options.headersTimeoutMs / 10)),
      },
    },
    onListening,
  ) as Server;
  server.maxConnections = options.maxConnections;
  return server;
}
