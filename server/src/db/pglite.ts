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
    bulkTransaction: (work) =>
      client.transaction((tx) =>
        work({
          query: async (text, params) => (await tx.query(text, params)).rows as never[],
          // PGlite reads COPY input from a Blob exposed as /dev/blob. Binary COPY skips the text
          // parsing of floats, which is slow in WebAssembly (~25× slower than COPY here).
          copyBinary: async (table, columns, data) => {
            await tx.query(
              `COPY ${table} (${columns.join(", ")}) FROM '/dev/blob' WITH (FORMAT binary)`,
              [],
              {
                blob: new Blob([data as Uint8Array<ArrayBuffer>]),
              },
            );
          },
        }),
      ),
    close: () => client.close(),
  };
}
