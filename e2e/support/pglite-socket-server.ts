/**
 * @module
 * A PostgreSQL server with pgvector that a test may kill: PGlite on a data directory, served over
 * the wire protocol by `@electric-sql/pglite-socket`, in a child process of its own. The machine's
 * PostgreSQL has no pgvector (and the server refuses to start without it), so this stands in for
 * "PostgreSQL" in the reliability tests and the load test: `kill()` is SIGKILL, `start()` on the
 * same data directory is a restart with crash recovery.
 *
 * Run as a script (`node --import tsx pglite-socket-server.ts <dataDir> <port>`) it is the child:
 * it prints `listening` once the port accepts connections.
 *
 * The socket server takes one connection and no CopyIn, so clients connect with
 * `?pool_max=1&binary_copy=off` (see `server/src/db/postgres.ts`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const SELF = fileURLToPath(import.meta.url);

export interface PgliteSocketServer {
  /** `DATABASE_URL` for `facedrift serve`, with the parameters this server needs. */
  readonly databaseUrl: string;
  start(): Promise<void>;
  /** SIGKILL: no shutdown, no checkpoint, as a crashed or OOM-killed PostgreSQL. */
  kill(): Promise<void>;
  /** SIGTERM, for cleanup. */
  stop(): Promise<void>;
  /** What the child printed, for failure messages. */
  output(): string;
}

export function pgliteSocketServer(options: { dataDir: string; port: number }): PgliteSocketServer {
  let child: ChildProcess | undefined;
  let output = "";
  const end = async (signal: NodeJS.Signals) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill(signal);
    await exited;
  };
  return {
    databaseUrl: `postgres://postgres@127.0.0.1:${options.port}/postgres?pool_max=1&binary_copy=off`,
    async start() {
      output = "";
      const started = spawn(
        process.execPath,
        ["--import", "tsx", SELF, options.dataDir, String(options.port)],
        {
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      child = started;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`pglite-socket did not start in 120 s:\n${output}`)),
          120_000,
        );
        started.stdout?.on("data", (chunk) => {
          output += chunk;
          if (output.includes("listening")) {
            clearTimeout(timer);
            resolve();
          }
        });
        started.stderr?.on("data", (chunk) => (output += chunk));
        started.once("exit", (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`pglite-socket exited (${code ?? signal}) before listening:\n${output}`));
        });
      });
    },
    kill: () => end("SIGKILL"),
    stop: () => end("SIGTERM"),
    output: () => output,
  };
}

async function serveAsChild(dataDir: string, port: number): Promise<void> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { vector } = await import("@electric-sql/pglite-pgvector");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const db = await PGlite.create({ dataDir, extensions: { vector } });
  const server = new PGLiteSocketServer({ db, port, host: "127.0.0.1" });
  await server.start();
  process.stdout.write("listening\n");
  process.once("SIGTERM", () => {
    server
      .stop()
      .then(() => db.close())
      .finally(() => process.exit(0));
  });
}

if (process.argv[1] === SELF) {
  const [dataDir, port] = process.argv.slice(2);
  if (!dataDir || !port) throw new Error("usage: pglite-socket-server.ts <dataDir> <port>");
  await serveAsChild(dataDir, Number(port));
}
