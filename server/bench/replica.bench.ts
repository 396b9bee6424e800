/**
 * The replica's throughput. First, faces per second through the face pipeline (decode included)
 * in the browser worker — headless Chromium on the web app's `/replica` page, WASM, as a replica
 * without a GPU runs it — against the same default pipeline in Node. Second, images per second
 * through a replica end to end (upload validation and store, claim, read, embed in Chromium,
 * ingest, per-file result) against the browser page alone on the same images: the difference is
 * the replica's own overhead. Skipped without Chromium or a built web app.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPipeline, selectCentral } from "@facedrift/models";
import { createNodeEngines, decodeImage, nodeFileSource } from "@facedrift/models/node";
import type { Comparison } from "../../bench/harness.ts";
import { DEFAULT_CONFIG } from "../src/config/config.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { openPglite } from "../src/db/pglite.ts";
import { LocalImageStore } from "../src/images/local-store.ts";
import { uploadImages } from "../src/images/upload.ts";
import { DEFAULT_WEB_ROOT, launchChromiumEmbedder } from "../src/replica/chromium.ts";
import { ReplicaWorker } from "../src/replica/worker.ts";
import { ensureTenant } from "../src/services/tenants/default.ts";

const FACES = join(import.meta.dirname, "..", "..", "..", "shared", "data", "faces", "images");
const IMAGES = 8;

export default async function suite(): Promise<Comparison[]> {
  if (!existsSync(DEFAULT_CONFIG.chromiumPath) || !existsSync(join(DEFAULT_WEB_ROOT, "replica.html"))) {
    process.stderr.write("replica bench skipped: no Chromium or no web/build (npm run build -w web)\n");
    return [];
  }
  const files = readdirSync(FACES)
    .slice(0, IMAGES)
    .map((person) => {
      const name = readdirSync(join(FACES, person))[0] as string;
      return { name, bytes: new Uint8Array(readFileSync(join(FACES, person, name))) };
    });

  const node = await loadPipeline(
    { engines: await createNodeEngines(), source: nodeFileSource() },
    { select: selectCentral },
  );
  const browser = await launchChromiumEmbedder({
    executablePath: DEFAULT_CONFIG.chromiumPath,
    webgpu: null,
  });
  const embedInBrowser = async () => {
    for (const file of files) {
      const result = await browser.embed(file.bytes, "image/jpeg");
      if (!result.ok || result.faces.length !== 1) throw new Error(`${file.name}: ${JSON.stringify(result)}`);
    }
  };

  const database = await openPglite();
  await migrateDatabase(database);
  const tenantId = await ensureTenant(database.db, "bench");
  const store = new LocalImageStore(mkdtempSync(join(tmpdir(), "facedrift-bench-images-")));
  const replica = new ReplicaWorker({
    database,
    store,
    openEmbedder: async () => browser,
    owner: "bench",
    imageRetentionHours: 0,
  });
  const limits = { maxFiles: 100, maxFileBytes: 10_000_000, maxPixels: 40_000_000 };

  return [
    {
      id: "server.replica.faces",
      title: `Face pipeline on WASM, ${IMAGES} LFW JPEGs (decode included): browser worker in headless Chromium vs Node`,
      work: IMAGES,
      unit: "faces",
      repeats: 3,
      baseline: {
        name: "Node (sharp decode, onnxruntime-web + tfjs WASM)",
        run: async () => {
          for (const file of files) await node.process(await decodeImage(file.bytes));
        },
      },
      candidate: { name: "Chromium worker (createImageBitmap, WASM)", run: embedInBrowser },
    },
    {
      id: "server.replica.images",
      title: `Replica end to end, ${IMAGES} uploaded JPEGs: upload, claim, embed in Chromium, ingest, record`,
      work: IMAGES,
      unit: "images",
      repeats: 3,
      baseline: { name: "the browser page alone", run: embedInBrowser },
      // The last comparison: Chromium and the database would otherwise keep the runner alive.
      teardown: async () => {
        await browser.close();
        await database.close();
      },
      candidate: {
        name: "replica (PGlite, local image store)",
        run: async () => {
          await uploadImages(database, store, { tenantId, stream: "bench", files, faces: "largest", limits });
          if (!(await replica.runOnce())) throw new Error("the replica found no job");
        },
      },
    },
  ];
}
