import { runDatabaseContract } from "./contract.case.ts";
import { openPostgresTestDatabase, postgresAvailable } from "./testing/postgres-database.ts";

/**
 * The contract on the production path: postgres.js against the machine's PostgreSQL with pgvector,
 * on a fresh database (binary COPY in, HNSW indexes, several pooled connections). Skipped where
 * there is no such server, except under CI.
 */
if (postgresAvailable)
  runDatabaseContract("PostgreSQL with pgvector", () => openPostgresTestDatabase("contract"));
