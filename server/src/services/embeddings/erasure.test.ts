import { migrateDatabase } from "../../db/migrate.ts";
import { openPglite } from "../../db/pglite.ts";
import { describeErasureEverywhere } from "./erasure.case.ts";

describeErasureEverywhere("PGlite", async () => {
  const database = await openPglite();
  await migrateDatabase(database);
  return { database, close: () => database.close() };
});
