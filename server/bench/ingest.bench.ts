/**
 * Ingestion throughput, measured through the HTTP app (`app.request`, no sockets) into the
 * embedded PGlite, and the Node-side share of the work on its own.
 *
 * The goal (≥ 20,000 512-D embeddings/s over HTTP) is for PostgreSQL, which parses and
 * writes on its own cores; PGlite runs single-threaded WebAssembly in the server's own thread, so
 * its figure is a floor, reported without a goal. The Node-side comparison carries the goal: it
 * is the part that must keep up whatever the database.
 */
import type { Comparison } from "../../bench/harness.ts";
import { DEFAULT_CONFIG } from "../src/config/config.ts";
import type { Database } from "../src/db/database.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { openPglite } from "../src/db/pglite.ts";
import { createApp } from "../src/http/app.ts";
import { IngestBodySchema } from "../src/http/routes/streams/embeddings/schema.ts";
import { createApiKey } from "../src/services/api-keys/create.ts";
import { encodeEmbeddingsCopy } from "../src/services/embeddings/copy-encode.ts";
import { decodeBatch } from "../src/services/embeddings/decode.ts";
import { ensureTenant } from "../src/services/tenants/default.ts";

const DIM = 512;
const BATCH = 1000;
const BATCHES = 4;

/** A seeded LCG, so every run ingests the same vectors. */
function vectors(count: number, seed: number): Float32Array[] {
  let x = seed >>> 0;
  return Array.from({ length: count }, () => {
    const v = new Float32Array(DIM);
    for (let i = 0; i < DIM; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      v[i] = x / 2 ** 32 - 0.5;
    }
    return v;
  });
}

function body(vs: Float32Array[], batch: number, b64: boolean): string {
  const model = { id: "bench", version: "1" };
  const items = vs.map((v, i) => ({
    id: `e${batch}-${i}`,
    ts: 1_790_000_000_000 + i,
    ...(b64 ? { embedding_b64: Buffer.from(v.buffer).toString("base64") } : { embedding: Array.from(v) }),
  }));
  return JSON.stringify({ model, items });
}

/** The same database with binary COPY hidden, so ingestion takes the `unnest` text path. */
function withoutCopy(database: Database): Database {
  return {
    ...database,
    bulkTransaction: (work) => database.bulkTransaction((tx) => work({ query: tx.query })),
  };
}

export default async function suite(): Promise<Comparison[]> {
  const database = await openPglite();
  await migrateDatabase(database);
  const tenantId = await ensureTenant(database.db, "bench");
  const { secret } = await createApiKey(database.db, { tenantId, name: "bench", scopes: ["ingest"] });
  const copyApp = createApp({ database, config: DEFAULT_CONFIG });
  const textApp = createApp({ database: withoutCopy(database), config: DEFAULT_CONFIG });
  const b64Bodies = Array.from({ length: BATCHES }, (_, b) => body(vectors(BATCH, b + 1), b, true));
  const jsonBodies = Array.from({ length: BATCHES }, (_, b) => body(vectors(BATCH, b + 1), b, false));

  let run = 0;
  const post = async (app: ReturnType<typeof createApp>, bodies: string[]) => {
    // A fresh stream per run: ids repeat across runs, and duplicates would skip the writes.
    const stream = `bench-${run++}`;
    for (const b of bodies) {
      const res = await app.request(`/v1/streams/${stream}/embeddings`, {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        body: b,
      });
      const result = (await res.json()) as { accepted?: number };
      // Every item must be written, or the figure would time duplicate-skipping instead.
      if (res.status !== 200 || result.accepted !== BATCH)
        throw new Error(`ingest failed: ${JSON.stringify(result)}`);
    }
  };

  const nodeSide = (bodies: string[]) => () => {
    for (const b of bodies) {
      const parsed = IngestBodySchema.parse(JSON.parse(b));
      const batch = decodeBatch(parsed.items);
      encodeEmbeddingsCopy(
        batch,
        batch.ids.map((_, i) => i),
        {
          firstSeq: 1,
          streamId: 1,
          receivedAtMs: Date.now(),
          modelId: "bench",
          modelVersion: "1",
          dimension: DIM,
        },
      );
    }
  };

  return [
    {
      id: "server.ingest.pglite",
      title: `HTTP ingest into PGlite, ${BATCH}×${DIM}-D base64 batches: binary COPY vs text unnest`,
      work: BATCHES * BATCH,
      unit: "embeddings",
      repeats: 3,
      baseline: { name: "INSERT … unnest(text[]) with '[…]' vectors", run: () => post(textApp, b64Bodies) },
      candidate: { name: "binary COPY (pgvector binary form)", run: () => post(copyApp, b64Bodies) },
    },
    {
      id: "server.ingest.node-side",
      title: `Node-side ingest work per ${DIM}-D embedding (JSON.parse, zod, decode, COPY encode): JSON numbers vs base64`,
      work: BATCHES * BATCH,
      unit: "embeddings",
      repeats: 5,
      baseline: { name: "embedding as JSON numbers", run: nodeSide(jsonBodies) },
      candidate: { name: "embedding_b64 (little-endian float32)", run: nodeSide(b64Bodies) },
      goal: {
        unitsPerSecondAtLeast: 20_000,
        text: "≥ 20,000 512-D embeddings/s: the Node side must not be what limits ingestion into PostgreSQL",
      },
    },
  ];
}
