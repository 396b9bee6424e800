/**
 * @module
 * The real `facedrift serve` (the CLI binary) as a child process for a journey or a fault test:
 * on an embedded data directory or a `DATABASE_URL`, started and stopped on the same port and
 * data (as an outage would), gracefully or with SIGKILL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");
const BIN = join(root, "server", "bin", "facedrift.mjs");

export interface ServeProcess {
  readonly url: string;
  start(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** The running process's id (it names the streaming worker's leases: `host:pid:…`). */
  pid(): number | undefined;
  /** Whether the process is still up (a fault elsewhere must not take it down). */
  running(): boolean;
  output(): string;
  /** Calls the API as the admin. */
  api(path: string, init?: RequestInit): Promise<Response>;
}

export function serveProcess(options: {
  port: number;
  adminKey: string;
  dataDir?: string;
  databaseUrl?: string;
  args?: string[];
}): ServeProcess {
  const url = `http://127.0.0.1:${options.port}`;
  let child: ChildProcess | undefined;
  let output = "";
  const database = options.databaseUrl
    ? ["--database-url", options.databaseUrl]
    : ["--data-dir", options.dataDir ?? ""];
  return {
    url,
    async start() {
      output = "";
      child = spawn(
        process.execPath,
        [
          BIN,
          "serve",
          "--port",
          String(options.port),
          "--host",
          "127.0.0.1",
          ...database,
          ...(options.args ?? []),
        ],
        {
          env: {
            ...process.env,
            DATABASE_URL: "",
            FACEDRIFT_ADMIN_KEY: options.adminKey,
            // Journeys and fault tests send faster than one capture station; the budget is not under test.
            FACEDRIFT_RATE_LIMIT_PER_MINUTE: "1000000",
          },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      child.stdout?.on("data", (chunk) => (output += chunk));
      child.stderr?.on("data", (chunk) => (output += chunk));
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
      throw new Error(`facedrift serve did not become ready in 120 s:\n${output}`);
    },
    async kill(signal = "SIGKILL") {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill(signal);
      await exited;
    },
    pid: () => child?.pid,
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    output: () => output,
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
