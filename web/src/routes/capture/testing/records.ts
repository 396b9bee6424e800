import type { OutboxRecord } from "../outbox.ts";

/** A queued face with a fixed payload; `nextAttemptAt` doubles as the queue time. */
export function record(id: string, nextAttemptAt = 0, stream = "lobby"): OutboxRecord {
  return {
    id,
    stream,
    model: { id: "faceplugin-feature512", version: "0.0.1" },
    attempts: 0,
    nextAttemptAt,
    queuedAt: nextAttemptAt,
    item: {
      id,
      ts: "2026-11-26T12:00:00.000Z",
      embedding_b64: "AACAPw==",
      source: "browser",
      device: "d",
      metadata: {},
    },
  };
}
