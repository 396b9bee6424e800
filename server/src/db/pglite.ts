import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { drizzle } from "drizzle-orm/pglite";
import type { Database, Db } from "./database.ts";
import * as schema from "./schema/index.ts";

/** Opens the embedded database (PGlite with pgvector); `dataDir` undefined keeps it in memory. */
export async function openPglite(dataDir?: string): Promise<Database & { client: PGlite }> {
  const client = await PGlite.create({ dataDir, extensions: { vector } });
  const db = drizzle({ client, schema }) as unknown as Db;
  return {
    driver: "pglite",
    db,
    client,
    location: dataDir ?? "memory",
    close: () => client.close(),
  };
}
