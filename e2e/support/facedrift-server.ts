/**
 * @module
 * `facedrift serve` for a journey that only ever stops it gracefully: `serve-process.ts` with
 * `stop()` meaning SIGTERM, and the admin key at hand.
 */
import { type ServeProcess, serveProcess } from "./serve-process.ts";

export interface FacedriftServer extends Pick<ServeProcess, "url" | "start" | "api"> {
  readonly adminKey: string;
  stop(): Promise<void>;
}

export function facedriftServer(options: {
  port: number;
  dataDir: string;
  adminKey: string;
}): FacedriftServer {
  const server = serveProcess(options);
  return {
    url: server.url,
    adminKey: options.adminKey,
    start: () => server.start(),
    stop: () => server.kill("SIGTERM"),
    api: (path, init) => server.api(path, init),
  };
}
