import { runDatabaseContract } from "./contract.case.ts";
import { openPglite } from "./pglite.ts";

runDatabaseContract("PGlite in process", async () => {
  const database = await openPglite();
  return { database, close: () => database.close() };
});
