/**
 * @module
 * Browser entry bundled into a test page: the capture station's own outbox, uploader and ingest
 * request (`web/src/routes/capture/`), wired as `session.svelte.ts` wires them (default backoff,
 * batches of 25), without the camera and face pipeline. Fault tests queue items through it and
 * watch the real IndexedDB outbox drain; running the face pipeline would only slow them down.
 */
import { encodeEmbedding, sendBatch } from "../../../web/src/routes/capture/ingest.ts";
import { type OutboxRecord, openOutbox } from "../../../web/src/routes/capture/outbox.ts";
import { createUploader, type UploaderStatus } from "../../../web/src/routes/capture/uploader.ts";

export interface Station {
  /** Queues one face per id (a small unit vector) on `stream`, as a capture would. */
  enqueue(stream: string, ids: string[]): Promise<void>;
  status(): UploaderStatus & { attempts: number; failures: string[] };
}

async function open(apiKey: string): Promise<Station> {
  const outbox = await openOutbox();
  let attempts = 0;
  const failures: string[] = [];
  const uploader = createUploader({
    outbox,
    send: async (records) => {
      attempts++;
      const first = records[0] as OutboxRecord;
      const result = await sendBatch({
        apiBase: "",
        apiKey,
        stream: first.stream,
        model: first.model,
        items: records.map((record) => record.item),
      });
      if (result.kind !== "stored") failures.push(result.message);
      return result;
    },
    onStatus: () => {},
  });
  await uploader.flush();
  return {
    async enqueue(stream, ids) {
      for (const id of ids) {
        const vector = new Float32Array(16);
        vector[id.length % 16] = 1;
        const now = Date.now();
        await uploader.enqueue({
          id,
          stream,
          model: { id: "fault", version: "1" },
          item: {
            id,
            ts: new Date(now).toISOString(),
            embedding_b64: encodeEmbedding(vector),
            source: "browser",
            device: "fault-station",
            metadata: {},
          },
          attempts: 0,
          nextAttemptAt: now,
          queuedAt: now,
        });
      }
    },
    status: () => ({ ...uploader.status(), attempts, failures: [...failures] }),
  };
}

(globalThis as unknown as { openStation: typeof open }).openStation = open;
