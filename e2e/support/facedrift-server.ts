/**
 * @module
 * Runs the real `facedrift serve` (the CLI binary, embedded database in a temp `--data-dir`) for a
 * journey. `stop()` and `start()` can cycle it on the same port and data, as an outage would.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");
const BIN = join(root, "server", "bin", "facedrift.mjs");

export interface FacedriftServer {
  readonly url: string;
  readonly adminKey: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Calls the API as the admin. */
  api(path: string, init?: RequestInit): Promise<Response>;
}

export function facedriftServer(options: {
  port: number;
  dataDir: string;
  adminKey: string;
}): FacedriftServer {
  const url = `http://127.0.0.1:${options.port}`;
  let child: ChildProcess | undefined;
  let output = "";
  return {
    url,
    adminKey: options.adminKey,
    async start() {
      output = "";
      child = spawn(
        process.execPath,
        [BIN, "serve", "--port", String(options.port), "--host", "127.0.0.1", "--data-dir", options.dataDir],
        { env: { ...process.env, FACEDRIFT_ADMIN_KEY: options.adminKey }, stdio: ["ignore", "pipe", "pipe"] },
      );
      child.stdout?.on("data", (chunk) => (output += chunk));
      child.stderr?.on("data", (chunk) => (output += chunk));
      // Two minutes: a cold start migrates a fresh PGlite, which takes far longer on a loaded CI core.
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`facedrift serve exited ${child.exitCode}:\n${output}`);
        const ready = await fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ready) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`facedrift serve did not become ready in 60 s:\n${output}`);
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
    api: (path, init = {}) =>
      fetch(`${url}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${options.adminKey}`,
          "content-type": "application/json",
          ...init.headers,
        },
      }),
  };
}
