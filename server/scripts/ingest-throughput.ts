/**
 * Quick ingestion throughput over HTTP (in-process `app.request`, no sockets) into PGlite.
 * Usage: npx tsx server/scripts/ingest-throughput.ts [batches=20] [batchSize=1000] [dim=512] [dataDir]
 * Prints embeddings/s for JSON-number and base64 bodies. The `bench/` suite measures the real
 * thing against PostgreSQL; this is the development-time check.
 */
import { DEFAULT_CONFIG } from "../src/config/config.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { openPglite } from "../src/db/pglite.ts";
import { createApp } from "../src/http/app.ts";
import { createApiKey } from "../src/services/api-keys/create.ts";
import { ensureTenant } from "../src/services/tenants/default.ts";

const [batches = 20, batchSize = 1000, dim = 512] = process.argv.slice(2, 5).map(Number);
const dataDir = process.argv[5];

function randomVector(seed: number): Float32Array {
  const v = new Float32Array(dim);
  let x = seed * 2654435761;
  for (let i = 0; i < dim; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    v[i] = x / 2 ** 32 - 0.5;
  }
  return v;
}

function body(batch: number, b64: boolean): string {
  const items = [];
  for (let i = 0; i < batchSize; i++) {
    const v = randomVector(batch * batchSize + i + 1);
    items.push({
      id: `${b64 ? "b" : "j"}-${batch}-${i}`,
      ts: 1_790_000_000_000 + i,
      ...(b64 ? { embedding_b64: Buffer.from(v.buffer).toString("base64") } : { embedding: Array.from(v) }),
    });
  }
  return JSON.stringify({ model: { id: "bench", version: "1" }, items });
}

const database = await openPglite(dataDir);
await migrateDatabase(database);
const tenantId = await ensureTenant(database.db, "bench");
const { secret } = await createApiKey(database.db, { tenantId, name: "bench", scopes: ["ingest"] });
const app = createApp({ database, config: DEFAULT_CONFIG });

for (const b64 of [false, true]) {
  const bodies = Array.from({ length: batches }, (_, i) => body(i, b64));
  const stream = b64 ? "bench-b64" : "bench-json";
  const start = performance.now();
  for (const b of bodies) {
    const res = await app.request(`/v1/streams/${stream}/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: b,
    });
    if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
  }
  const seconds = (performance.now() - start) / 1000;
  const mb = bodies.reduce((n, b) => n + b.length, 0) / 1e6;
  console.log(
    `${b64 ? "base64" : "json  "}: ${batches}×${batchSize} ${dim}-D in ${seconds.toFixed(2)} s = ` +
      `${Math.round((batches * batchSize) / seconds)} embeddings/s (${mb.toFixed(0)} MB of bodies)`,
  );
}
await database.close();
