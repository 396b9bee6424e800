import { runDatabaseContract } from "./contract.case.ts";
import { openPgliteOverWire } from "./testing/pglite-wire.ts";

/**
 * postgres.js against PGlite served over the wire protocol on a random port: the same driver and
 * code path as a real PostgreSQL with pgvector (no binary COPY in, so the `unnest` insert is the
 * one exercised here; COPY in is covered by PGlite in process for the encoding and by
 * postgres-copy.test.ts for the postgres.js plumbing).
 */
runDatabaseContract("postgres.js over pglite-socket", openPgliteOverWire);
