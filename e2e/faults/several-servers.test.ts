/**
 * Fault: one of several server processes dies while they share one database. `facedrift serve`
 * processes, each with its streaming detector, run against one database: two on a
 * PostgreSQL-protocol stand-in (PGlite in its own process, its one session shared a transaction at
 * a time by `SessionMultiplexer` in `e2e/support/pglite-socket-server.ts`), and three on a fresh
 * database of the real PostgreSQL with pgvector (skipped only without one and without CI).
 * Ingestion rotates between them; the process holding the most unfinished streams is SIGKILLed
 * while they still have rows to read. Afterwards every stream is owned by a survivor, and each
 * stream's drift events and ADWIN state are exactly those of one uninterrupted pass over its rows:
 * no detection lost or doubled.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { syntheticModel } from "@facedrift/stats";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { queryRows } from "../../server/src/db/database.ts";
import { openPostgres } from "../../server/src/db/postgres.ts";
import {
  createPostgresTestDatabase,
  type PostgresTestDatabase,
  postgresAvailable,
} from "../../server/src/db/testing/postgres-database.ts";
import { readAfterByText } from "../../server/src/streaming/read.ts";
import { loadActiveReference } from "../../server/src/streaming/reference.ts";
import { uninterruptedRun } from "../../server/src/streaming/testing/uninterrupted.ts";
import { type PgliteSocketServer, pgliteSocketServer } from "../support/pglite-socket-server.ts";
import { freePort } from "../support/ports.ts";
import { type ServeProcess, serveProcess } from "../support/serve-process.ts";

const DIM = 32;
const STREAMS = ["cam-a", "cam-b", "cam-c"];
const REFERENCE_ROWS = 600;
/**
 * Rows after the reference, per stream: enough that each server is still reading when one dies
 * (PostgreSQL servers read 5,000 a batch, and a batch of findings costs milliseconds).
 */
const MORE_ROWS: Record<string, number> = { "pglite-socket": 900, postgres: 12_000 };
const MODEL = { id: "fault-ownership", version: "1" };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(250);
  }
}

const TARGETS = [
  { database: "pglite-socket", servers: 2 },
  ...(postgresAvailable ? [{ database: "postgres", servers: 3 }] : []),
] as const;

describe.each(TARGETS)(
  "several servers on one database ($database, $servers servers), one killed",
  (target) => {
    const dataDir = mkdtempSync(join(tmpdir(), "facedrift-fault-several-"));
    let socket: PgliteSocketServer | undefined;
    let postgres: PostgresTestDatabase | undefined;
    const servers: ServeProcess[] = [];
    let reader: ReturnType<typeof openPostgres> | undefined;

    afterAll(async () => {
      await reader?.close();
      for (const server of servers) await server.kill();
      await socket?.kill();
      await postgres?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("moves the dead process's streams to the survivors, with no detection lost or doubled", async () => {
      let databaseUrl: string;
      if (target.database === "postgres") {
        postgres = await createPostgresTestDatabase("fault_several");
        databaseUrl = postgres.url;
      } else {
        socket = pgliteSocketServer({ dataDir, port: await freePort(), clients: "many" });
        await socket.start();
        databaseUrl = socket.databaseUrl;
      }
      for (let i = 0; i < target.servers; i++) {
        const server = serveProcess({
          port: await freePort(),
          adminKey: "fd_fault_several_admin_key_9d2c5e8a17",
          databaseUrl,
          args: ["--no-scheduler"],
        });
        // One after the other: the second finds the schema migrated and the admin key in place.
        await server.start();
        servers.push(server);
      }
      reader = openPostgres(databaseUrl);
      const db = reader.db;

      // Ingestion spread over both processes, batch by batch.
      const model = syntheticModel({ dimension: DIM, modelSeed: 11 });
      let batchNo = 0;
      const send = async (stream: string, vectors: Float32Array, firstId: number) => {
        const count = vectors.length / DIM;
        for (let start = 0; start < count; start += 100) {
          const items = Array.from({ length: Math.min(100, count - start) }, (_, r) => {
            const row = vectors.subarray((start + r) * DIM, (start + r + 1) * DIM);
            return {
              id: `e${firstId + start + r}`,
              ts: Date.now(),
              embedding_b64: Buffer.from(row.buffer, row.byteOffset, row.byteLength).toString("base64"),
            };
          });
          const server = servers[batchNo++ % servers.length] as ServeProcess;
          const response = await server.api(`/v1/streams/${stream}/embeddings`, {
            method: "POST",
            body: JSON.stringify({ model: MODEL, items }),
          });
          expect(response.status).toBe(200);
        }
      };
      for (const [s, stream] of STREAMS.entries()) {
        await send(stream, model.sample(REFERENCE_ROWS, 20 + s), 0);
        const fitted = await (servers[s % servers.length] as ServeProcess).api(
          `/v1/streams/${stream}/reference`,
          {
            method: "POST",
            // Not active yet: the detectors start once every row is in, so they are mid-way when one dies.
            body: JSON.stringify({ last: REFERENCE_ROWS, options: { seed: 5 }, activate: false }),
          },
        );
        expect(fitted.status).toBe(201);
      }
      for (const [s, stream] of STREAMS.entries()) {
        const rows = MORE_ROWS[target.database] as number;
        const more = new Float32Array(rows * DIM);
        more.set(model.sample(300, 40 + s));
        more.set(model.sample(rows - 300, 60 + s, { latentShift: 1 }), 300 * DIM);
        await send(stream, more, REFERENCE_ROWS);
      }
      for (const [s, stream] of STREAMS.entries()) {
        const activated = await (servers[s % servers.length] as ServeProcess).api(
          `/v1/streams/${stream}/references/1/activate`,
          {
            method: "POST",
          },
        );
        expect(activated.status).toBe(200);
      }

      const cursors = () =>
        queryRows<{ stream: string; owner: string | null; last_seq: string; behind: boolean }>(
          db,
          sql`SELECT s.name AS stream, c.owner, c.last_seq::text AS last_seq, c.last_seq < s.last_seq AS behind
            FROM streams s LEFT JOIN stream_cursors c ON c.stream_id = s.id ORDER BY s.name`,
        );
      const ownerOf = (owner: string | null) =>
        servers.findIndex((server) => owner !== null && owner.split(":")[1] === String(server.pid()));

      // Kill the process that holds the most unfinished streams.
      await until("the detectors to take the streams", 120_000, async () =>
        (await cursors()).every((c) => ownerOf(c.owner) >= 0),
      );
      const before = await cursors();
      const behind = servers.map((_, i) => before.filter((c) => ownerOf(c.owner) === i && c.behind).length);
      const victim = behind.indexOf(Math.max(...behind));
      // It dies holding streams it has not finished reading.
      expect(behind[victim]).toBeGreaterThan(0);
      const survivor = victim === 0 ? 1 : 0;
      await (servers[victim] as ServeProcess).kill("SIGKILL");

      // The survivors take the dead process's streams once their leases lapse, and catch up.
      await until("the survivors to own and finish every stream", 180_000, async () => {
        const now = await cursors();
        return now.every((c) => ownerOf(c.owner) >= 0 && ownerOf(c.owner) !== victim && !c.behind);
      });
      // Ingestion goes on through a survivor.
      const after = await (servers[survivor] as ServeProcess).api(`/v1/streams/${STREAMS[0]}`);
      expect(((await after.json()) as { embeddingCount: number }).embeddingCount).toBe(
        REFERENCE_ROWS + (MORE_ROWS[target.database] as number),
      );

      let detections = 0;
      for (const stream of STREAMS) {
        const [row] = await queryRows<{ id: string }>(
          db,
          sql`SELECT id::text AS id FROM streams WHERE name = ${stream}`,
        );
        const streamId = Number(row?.id);
        const reference = await loadActiveReference(db, streamId);
        if (!reference) throw new Error(`${stream} has no active reference`);
        // One uninterrupted pass over every stored row, in seq order, as the detector reads them.
        const read = readAfterByText(db);
        const seqs: number[] = [];
        const parts: Float32Array[] = [];
        for (let after = 0; ; ) {
          const page = await read(streamId, after, 1000, DIM);
          seqs.push(...page.seqs);
          parts.push(page.x);
          if (page.seqs.length === 0 || !page.hasMore) break;
          after = page.seqs[page.seqs.length - 1] as number;
        }
        const x = new Float32Array(seqs.length * DIM);
        let offset = 0;
        for (const part of parts) {
          x.set(part, offset);
          offset += part.length;
        }
        // Every streaming detector (PC1 and residual ADWIN, MMD window) over the same rows, one batch.
        const run = await uninterruptedRun(reference, seqs, x);
        const expected = run.detections.map((d) => d.seq);
        const events = await queryRows<{ seq: string }>(
          db,
          sql`SELECT seq::text AS seq FROM drift_events WHERE stream_id = ${streamId} ORDER BY drift_events.seq, id`,
        );
        expect(events.map((e) => Number(e.seq))).toEqual(expected);
        const [cursor] = await queryRows<{ state: string }>(
          db,
          sql`SELECT adwin_state::text AS state FROM stream_cursors WHERE stream_id = ${streamId}`,
        );
        expect(JSON.parse(cursor?.state ?? "null")).toEqual(JSON.parse(JSON.stringify(run.state)));
        detections += expected.length;
      }
      // The shifted rows are detected: the comparison is not between two empty lists.
      expect(detections).toBeGreaterThan(0);
    }, 420_000);
  },
);
