import { runDatabaseContract } from "./contract.case.ts";
import { openPgliteOverWire } from "./testing/pglite-wire.ts";

/**
 * postgres.js against PGlite served over the wire protocol on a random port: one session, no
 * binary COPY in, so the `unnest` insert (the path for servers without CopyIn) stays covered.
 */
runDatabaseContract("postgres.js over pglite-socket", openPgliteOverWire);
