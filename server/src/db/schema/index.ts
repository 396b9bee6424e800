/** Every table, for drizzle's query builder. drizzle-kit reads the entity files directly. */
export * from "./alert.ts";
export * from "./api-key.ts";
export * from "./drift-event.ts";
export * from "./drift-run.ts";
export * from "./embedding.ts";
export * from "./embedding-id.ts";
export * from "./job.ts";
export * from "./reference-embedding.ts";
export * from "./reference-set.ts";
export * from "./stream.ts";
export * from "./stream-cursor.ts";
export * from "./tenant.ts";
