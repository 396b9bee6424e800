/**
 * A streaming worker in its own process, for the kill test (`ownership.test.ts`): it reports each
 * batch from inside its transaction and, at the first batch with a detection, stops there with
 * the events written and uncommitted, waiting to be killed.
 *
 * Usage: `node --import tsx worker-child.ts <postgres url> <owner>`
 */
import { openPostgres } from "../../db/postgres.ts";
import { StreamingWorker } from "../worker.ts";

const [url, owner] = process.argv.slice(2);
if (!url || !owner) throw new Error("usage: worker-child.ts <url> <owner>");
const database = openPostgres(url, { max: 2 });
const worker = new StreamingWorker({
  db: database.db,
  owner,
  leaseMs: 1500,
  pollIntervalMs: 20,
  batchSize: 250,
  alertStore: false,
  beforeCommit: async ({ processed, detections }) => {
    process.send?.({ type: "in-transaction", processed, detections });
    if (detections > 0) await new Promise(() => {});
  },
});
worker.start();
process.send?.({ type: "started" });
