import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { drizzle } from "drizzle-orm/pglite";
import { type LockOptions, lockDataDir } from "./data-dir-lock.ts";
import type { Database, Db } from "./database.ts";
import * as schema from "./schema/index.ts";

/** Stops the process: two processes on one PGlite folder destroy it, so going on is worse. */
function stopOnLostLock(message: string): never {
  process.stderr.write(`facedrift: ${message}; stopping so that two processes never write the folder\n`);
  process.exit(1);
}

/**
 * Opens the embedded database (PGlite with pgvector); `dataDir` undefined keeps it in memory. A
 * data directory is locked first (`data-dir-lock.ts`): a second process opening it fails at once
 * with `DataDirLockedError`, and the lock goes with `close()` (or the process).
 */
export async function openPglite(
  dataDir?: string,
  lockOptions: LockOptions = {},
): Promise<Database & { client: PGlite }> {
  const lock =
    dataDir === undefined ? undefined : lockDataDir(dataDir, { onLost: stopOnLostLock, ...lockOptions });
  let client: PGlite;
  try {
    client = await PGlite.create({ dataDir, extensions: { vector } });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = drizzle({ client, schema }) as unknown as Db;
  return {
    driver: "pglite",
    db,
    client,
    location: dataDir ?? "memory",
    servingAt: (url) => lock?.setUrl(url),
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
    close: async () => {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}
