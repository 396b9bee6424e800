import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import type { Database } from "../database.ts";
import { openPglite } from "../pglite.ts";
import { openPostgres } from "../postgres.ts";

/**
 * Test support (not a test): a fresh in-memory PGlite served over the Postgres wire protocol
 * (pglite-socket, random port) and opened with postgres.js — the driver and code paths of a real
 * PostgreSQL with pgvector. One connection, because PGlite is one session and pooled
 * connections would share its transactions; no binary COPY *in*, which the socket server does
 * not speak (ingestion then takes the `unnest` insert). COPY out works.
 */
export async function openPgliteOverWire(): Promise<{ database: Database; close(): Promise<void> }> {
  const embedded = await openPglite();
  const server = new PGLiteSocketServer({ db: embedded.client, port: 0, host: "127.0.0.1" });
  await server.start();
  const database = openPostgres(`postgres://postgres@${server.getServerConn()}/postgres`, {
    max: 1,
    copy: false,
  });
  return {
    database,
    close: async () => {
      await database.close();
      await server.stop();
      await embedded.close();
    },
  };
}
