/**
 * Fault: `kill -9` of the server during ingestion. The real `facedrift serve` takes batches from
 * several concurrent clients; it is SIGKILLed while requests are in flight, then started again on
 * the same database. Everything it acknowledged must be there exactly once, and every request it
 * never answered must be stored whole or not at all. Twice: on an embedded data directory (PGlite
 * runs inside the server, so this also kills the database mid-transaction), and on a fresh
 * database of the real PostgreSQL with pgvector (the server dies with transactions open on the
 * server's connections, which PostgreSQL must roll back).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  createPostgresTestDatabase,
  type PostgresTestDatabase,
  postgresAvailable,
} from "../../server/src/db/testing/postgres-database.ts";
import { freePort } from "../support/ports.ts";
import { type ServeProcess, serveProcess } from "../support/serve-process.ts";
import { batchBody, exactlyOnceProblems, storedIds } from "./support/ingest-ledger.ts";

const STREAM = "kill-9";
const CLIENTS = 4;
const BATCH = 50;
/** Kill once this many requests are acknowledged: enough that the kill lands amid steady traffic. */
const KILL_AFTER_ACKS = 30;

const TARGETS = postgresAvailable ? (["pglite", "postgres"] as const) : (["pglite"] as const);

describe.each(TARGETS)("kill -9 of the server during ingestion (%s)", (target) => {
  const dataDir = mkdtempSync(join(tmpdir(), "facedrift-fault-kill-"));
  let postgres: PostgresTestDatabase | undefined;
  let server: ServeProcess;

  afterAll(async () => {
    await server?.kill();
    await postgres?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps every acknowledged embedding exactly once, and each unanswered batch all or nothing", async () => {
    if (target === "postgres") postgres = await createPostgresTestDatabase("fault_kill");
    server = serveProcess({
      port: await freePort(),
      ...(postgres ? { databaseUrl: postgres.url } : { dataDir }),
      adminKey: "fd_fault_kill_admin_key_5c9e3a1b7d42f8",
      args: ["--no-scheduler"],
    });
    await server.start();

    const requests = new Map<number, { size: number; acknowledged: boolean }>();
    let next = 0;
    let acked = 0;
    let inFlightAtKill = -1;
    let inFlight = 0;
    let killed: Promise<void> | undefined;
    const client = async () => {
      while (!killed) {
        const request = next++;
        requests.set(request, { size: BATCH, acknowledged: false });
        inFlight++;
        const response = await server
          .api(`/v1/streams/${STREAM}/embeddings`, { method: "POST", body: batchBody(request, BATCH) })
          .catch(() => undefined);
        inFlight--;
        if (response?.ok) {
          const body = (await response.json()) as { accepted: number; duplicates: number };
          expect(body).toEqual(expect.objectContaining({ accepted: BATCH, duplicates: 0 }));
          requests.set(request, { size: BATCH, acknowledged: true });
          if (++acked === KILL_AFTER_ACKS && !killed) {
            inFlightAtKill = inFlight;
            killed = server.kill("SIGKILL");
          }
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    await killed;
    // The other clients were mid-request when the process died.
    expect(inFlightAtKill).toBeGreaterThan(0);
    const unanswered = [...requests.values()].filter((r) => !r.acknowledged).length;
    expect(unanswered).toBeGreaterThan(0);

    await server.start();
    const stored = await storedIds(server, STREAM);
    expect(exactlyOnceProblems(stored, requests)).toEqual([]);
    expect(stored.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS * BATCH);

    // The restarted server ingests again, and a retry of everything sent is all duplicates for
    // what was stored and new rows for what was not: the client can always just resend.
    let resentAccepted = 0;
    for (const [request] of requests) {
      const response = await server.api(`/v1/streams/${STREAM}/embeddings`, {
        method: "POST",
        body: batchBody(request, BATCH),
      });
      expect(response.status).toBe(200);
      resentAccepted += ((await response.json()) as { accepted: number }).accepted;
    }
    expect(resentAccepted).toBe(requests.size * BATCH - stored.length);
    const after = await storedIds(server, STREAM);
    expect(after.length).toBe(requests.size * BATCH);
    expect(new Set(after).size).toBe(after.length);
  }, 300_000);
});
