import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { runDatabaseContract } from "./contract.case.ts";
import { openPglite } from "./pglite.ts";
import { openPostgres } from "./postgres.ts";

/**
 * postgres.js against PGlite served over the wire protocol on a random port: the same driver and
 * code path as a real PostgreSQL with pgvector (no binary COPY, so the `unnest` insert is the one
 * exercised here).
 */
runDatabaseContract("postgres.js over pglite-socket", async () => {
  const embedded = await openPglite();
  const server = new PGLiteSocketServer({ db: embedded.client, port: 0, host: "127.0.0.1" });
  await server.start();
  const address = server.getServerConn();
  // One connection: PGlite is a single session, so pooled connections would share transactions.
  // No binary COPY: the socket server does not speak CopyIn (COPY is covered by PGlite in
  // process for the encoding and by postgres-copy.test.ts for the postgres.js plumbing).
  const database = openPostgres(`postgres://postgres@${address}/postgres`, { max: 1, copy: false });
  return {
    database,
    close: async () => {
      await database.close();
      await server.stop();
      await embedded.close();
    },
  };
});
