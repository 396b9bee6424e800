/** Every table, for drizzle's query builder. drizzle-kit reads the entity files directly. */

export * from "./alert.ts";
export * from "./alert-channel.ts";
export * from "./alert-delivery.ts";
export * from "./api-key.ts";
export * from "./audit-log.ts";
export * from "./drift-event.ts";
export * from "./drift-run.ts";
export * from "./embedding.ts";
export * from "./embedding-archive.ts";
export * from "./embedding-id.ts";
export * from "./embedding-score.ts";
export * from "./image-batch.ts";
export * from "./image-file.ts";
export * from "./incident.ts";
export * from "./job.ts";
export * from "./push-subscription.ts";
export * from "./reference-embedding.ts";
export * from "./reference-set.ts";
export * from "./session.ts";
export * from "./stream.ts";
export * from "./stream-cursor.ts";
export * from "./stream-model.ts";
export * from "./tenant.ts";
export * from "./user.ts";
export * from "./vapid-key.ts";
export * from "./verification-run.ts";
