import { migrateDatabase } from "../db/migrate.ts";
import { openPglite } from "../db/pglite.ts";
import { describeArchiveLifecycle } from "./archive.case.ts";

describeArchiveLifecycle("PGlite", async () => {
  const database = await openPglite();
  await migrateDatabase(database);
  return { database, close: () => database.close() };
});
