import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { describe, expect, it } from "vitest";
import { FacedriftError } from "../errors.ts";
import { ensureVectorExtension, migrateDatabase, PGVECTOR_MISSING_MESSAGE } from "./migrate.ts";
import { openPostgres } from "./postgres.ts";

describe("a PostgreSQL server without pgvector", () => {
  it("is refused with a message that says how to install it", async () => {
    // PGlite started without the vector extension stands in for such a server.
    const bare = await PGlite.create();
    const server = new PGLiteSocketServer({ db: bare, port: 0, host: "127.0.0.1" });
    await server.start();
    const database = openPostgres(`postgres://postgres@${server.getServerConn()}/postgres`, { max: 1 });
    try {
      const error = await ensureVectorExtension(database).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FacedriftError);
      expect((error as FacedriftError).message).toBe(PGVECTOR_MISSING_MESSAGE);
      expect(PGVECTOR_MISSING_MESSAGE).toMatch(/postgresql-15-pgvector/);
      expect(PGVECTOR_MISSING_MESSAGE).toMatch(/without DATABASE_URL/);
      await expect(migrateDatabase(database)).rejects.toThrow(PGVECTOR_MISSING_MESSAGE);
    } finally {
      await database.close();
      await server.stop();
      await bare.close();
    }
  }, 60_000);
});
