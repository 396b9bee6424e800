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
 * PGlite is one session and takes no CopyIn, so clients connect with `binary_copy=off` (see
 * `server/src/db/postgres.ts`). `clients: "one"` (default) is pglite-socket's own server with one
 * connection (`pool_max=1`). `clients: "many"` lets several processes share the database through
 * `SessionMultiplexer` below.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import type { PGlite } from "@electric-sql/pglite";

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

export function pgliteSocketServer(options: {
  dataDir: string;
  port: number;
  clients?: "one" | "many";
}): PgliteSocketServer {
  const clients = options.clients ?? "one";
  let child: ChildProcess | undefined;
  let output = "";
  const end = async (signal: NodeJS.Signals) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill(signal);
    await exited;
  };
  return {
    databaseUrl: `postgres://postgres@127.0.0.1:${options.port}/postgres?pool_max=${clients === "one" ? 1 : 2}&binary_copy=off`,
    async start() {
      output = "";
      const started = spawn(
        process.execPath,
        ["--import", "tsx", SELF, options.dataDir, String(options.port), clients],
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

/**
 * Shares PGlite's one session among many client connections, a whole transaction at a time: a
 * connection takes the session with its first message and gives it back only at a Sync or simple
 * Query that leaves no transaction open (or when it disconnects, after a ROLLBACK). pglite-socket
 * also accepts several connections, but it interleaves them message by message, so one client's
 * Bind can land between another's Parse and Execute (the unnamed portal is per session); that is
 * why this is written here rather than taken from the library. postgres.js names its prepared
 * statements per connection, so statements left in the shared session never collide.
 */
export class SessionMultiplexer {
  private holder: object | null = null;
  private waiting: (() => void)[] = [];

  constructor(private readonly db: PGlite) {}

  private async take(connection: object): Promise<void> {
    while (this.holder !== null && this.holder !== connection) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.holder = connection;
  }

  private giveBack(connection: object): void {
    if (this.holder !== connection) return;
    this.holder = null;
    for (const wake of this.waiting.splice(0)) wake();
  }

  attach(socket: Socket): void {
    const connection = {};
    let buffer = Buffer.alloc(0);
    let started = false;
    let closed = false;
    let work = Promise.resolve();
    // Protocol framing (PostgreSQL docs, "Message Formats"): the startup packet is length-first,
    // every later message is a type byte then a length that counts itself.
    const nextFrame = (): { type: string; bytes: Buffer } | null => {
      if (!started) {
        if (buffer.length < 8 || buffer.length < buffer.readInt32BE(0)) return null;
        const bytes = buffer.subarray(0, buffer.readInt32BE(0));
        buffer = buffer.subarray(bytes.length);
        const code = bytes.readInt32BE(4);
        if (code === 80877103) return { type: "ssl", bytes };
        if (code === 80877102) return { type: "cancel", bytes };
        started = true;
        return { type: "startup", bytes };
      }
      if (buffer.length < 5 || buffer.length < 1 + buffer.readInt32BE(1)) return null;
      const bytes = buffer.subarray(0, 1 + buffer.readInt32BE(1));
      buffer = buffer.subarray(bytes.length);
      return { type: String.fromCharCode(bytes[0] as number), bytes };
    };
    const handle = async (frame: { type: string; bytes: Buffer }) => {
      if (closed) return;
      if (frame.type === "ssl") return void socket.write("N");
      if (frame.type === "cancel" || frame.type === "X") return void socket.end();
      await this.take(connection);
      if (closed) return this.giveBack(connection);
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(new Uint8Array(frame.bytes), {
          onRawData: (data) => {
            if (!closed) socket.write(data);
          },
        }),
      );
      const boundary = frame.type === "startup" || frame.type === "S" || frame.type === "Q";
      if (boundary && !this.db.isInTransaction()) this.giveBack(connection);
    };
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (let frame = nextFrame(); frame; frame = nextFrame()) {
        const next = frame;
        work = work.then(() => handle(next)).catch(() => void socket.destroy());
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      closed = true;
      work = work.then(async () => {
        if (this.holder !== connection) return;
        if (this.db.isInTransaction()) await this.db.exec("ROLLBACK");
        this.giveBack(connection);
      });
    });
  }
}

async function serveAsChild(dataDir: string, port: number, clients: string): Promise<void> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { vector } = await import("@electric-sql/pglite-pgvector");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const db = await PGlite.create({ dataDir, extensions: { vector } });
  let stop: () => Promise<void>;
  if (clients === "many") {
    const multiplexer = new SessionMultiplexer(db);
    const server: Server = createServer((socket) => multiplexer.attach(socket));
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  } else {
    const server = new PGLiteSocketServer({ db, port, host: "127.0.0.1" });
    await server.start();
    stop = () => server.stop();
  }
  process.stdout.write("listening\n");
  process.once("SIGTERM", () => {
    stop()
      .then(() => db.close())
      .finally(() => process.exit(0));
  });
}

if (process.argv[1] === SELF) {
  const [dataDir, port, clients = "one"] = process.argv.slice(2);
  if (!dataDir || !port) throw new Error("usage: pglite-socket-server.ts <dataDir> <port> [one|many]");
  await serveAsChild(dataDir, Number(port), clients);
}
