import { readdirSync } from "node:fs";
import { defineConfig } from "drizzle-kit";

const schemaDir = "./server/src/db/schema";

/**
 * drizzle-kit manages every entity file except `embedding.ts`: the embeddings table is range
 * partitioned, which drizzle-kit cannot express, so its DDL is the hand-written migration
 * `server/drizzle/0002_embeddings_partitioned.sql` (made with `drizzle-kit generate --custom`).
 */
const managed = readdirSync(schemaDir)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
  .filter((f) => !["index.ts", "embedding.ts", "vector-column.ts"].includes(f))
  .map((f) => `${schemaDir}/${f}`);

export default defineConfig({
  dialect: "postgresql",
  schema: managed,
  out: "./server/drizzle",
  casing: undefined,
});
