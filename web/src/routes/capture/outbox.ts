/**
 * @module
 * The IndexedDB outbox: every face is written here before any network call, under an id chosen
 * once at capture time. The id is the server's idempotency key, so a retry after a lost response
 * is counted as a duplicate and never stored twice. Records survive reloads, crashes and offline
 * periods; `nextAttemptAt` (indexed) carries the backoff across them.
 */
import { type DBSchema, type IDBPDatabase, openDB } from "idb";

/** One item of the ingest request, as the server's `EmbeddingItem` names its fields. */
export interface IngestItem {
  id: string;
  /** RFC 3339, the capture time. */
  ts: string;
  /** Little-endian float32, base64. */
  embedding_b64: string;
  source: "browser";
  device: string;
  metadata: Record<string, unknown>;
}

export interface OutboxRecord {
  id: string;
  stream: string;
  model: { id: string; version: string };
  item: IngestItem;
  /** Failed sends so far. */
  attempts: number;
  /** Epoch ms before which the record is not sent again. */
  nextAttemptAt: number;
  queuedAt: number;
  lastError?: string;
}

interface OutboxSchema extends DBSchema {
  outbox: { key: string; value: OutboxRecord; indexes: { "by-next-attempt": number } };
}

export const OUTBOX_DB = "facedrift-capture";
const STORE = "outbox";
const BY_NEXT = "by-next-attempt";

export interface Outbox {
  /** Adds a new record; an id already queued is an error (ids are generated once per face). */
  add(record: OutboxRecord): Promise<void>;
  /** Records due at `now`, earliest first. */
  due(now: number, limit: number): Promise<OutboxRecord[]>;
  /** The earliest `nextAttemptAt`, or `null` when empty. */
  nextAttemptAt(): Promise<number | null>;
  remove(ids: readonly string[]): Promise<void>;
  /** Counts one more failed attempt and sets when to try again. */
  reschedule(ids: readonly string[], at: (attempts: number) => number, error: string): Promise<void>;
  /** Makes every record due at `now` (attempt counts are kept). */
  makeAllDue(now: number): Promise<void>;
  count(): Promise<number>;
  close(): void;
}

export async function openOutbox(name = OUTBOX_DB): Promise<Outbox> {
  const db: IDBPDatabase<OutboxSchema> = await openDB<OutboxSchema>(name, 1, {
    upgrade(database) {
      database.createObjectStore(STORE, { keyPath: "id" }).createIndex(BY_NEXT, "nextAttemptAt");
    },
  });
  return {
    async add(record) {
      await db.add(STORE, record);
    },
    async due(now, limit) {
      return db.getAllFromIndex(STORE, BY_NEXT, IDBKeyRange.upperBound(now), limit);
    },
    async nextAttemptAt() {
      const cursor = await db.transaction(STORE).store.index(BY_NEXT).openCursor();
      return cursor ? cursor.value.nextAttemptAt : null;
    },
    async remove(ids) {
      const tx = db.transaction(STORE, "readwrite");
      await Promise.all([...ids.map((id) => tx.store.delete(id)), tx.done]);
    },
    async reschedule(ids, at, error) {
      const tx = db.transaction(STORE, "readwrite");
      for (const id of ids) {
        const record = await tx.store.get(id);
        if (!record) continue;
        const attempts = record.attempts + 1;
        await tx.store.put({ ...record, attempts, nextAttemptAt: at(attempts), lastError: error });
      }
      await tx.done;
    },
    async makeAllDue(now) {
      const tx = db.transaction(STORE, "readwrite");
      for (let cursor = await tx.store.openCursor(); cursor; cursor = await cursor.continue()) {
        if (cursor.value.nextAttemptAt > now) await cursor.update({ ...cursor.value, nextAttemptAt: now });
      }
      await tx.done;
    },
    count: () => db.count(STORE),
    close: () => db.close(),
  };
}
