/**
 * @module
 * The compute worker: runs the pure statistics a request or job needs, off the thread that
 * answers HTTP. A reference fit of 200,000 rows took 805 s on the request thread with `/healthz`
 * unanswered throughout, and one tenant's admin could stall every tenant. Started by `pool.ts`
 * through `worker-entry.mjs` (which registers tsx, as `bin/facedrift.mjs` does).
 */
import { parentPort } from "node:worker_threads";
import {
  batchCheck,
  batchCheckScores,
  fitReferenceProfile,
  heldOutKnnThreshold,
  verificationMetrics,
} from "@facedrift/stats";
import type { ComputeRequest, ComputeResponse, ComputeTask } from "./protocol.ts";

function run(task: ComputeTask): { result: unknown; transfer: ArrayBuffer[] } {
  switch (task.kind) {
    case "fit-reference": {
      const { x, n, d, knn } = task;
      const profile = fitReferenceProfile(x, n, d, task.options);
      const threshold = heldOutKnnThreshold(x, n, d, knn.groups, knn.stored, {
        queries: knn.queries,
        seed: knn.seed,
      });
      return { result: { profile, knn: threshold, x }, transfer: [x.buffer as ArrayBuffer] };
    }
    case "batch-check":
      return { result: batchCheck(task.profile, task.x, task.n, task.options), transfer: [] };
    case "batch-check-scores":
      return {
        result: batchCheckScores(task.profile, task.scores, task.n, task.recent, task.options),
        transfer: [],
      };
    case "verification-metrics":
      return { result: verificationMetrics(task.scores, task.labels), transfer: [] };
  }
}

const port = parentPort;
if (!port) throw new Error("compute/worker.ts runs in a worker thread (see compute/pool.ts)");
port.on("message", ({ id, task }: ComputeRequest) => {
  let response: ComputeResponse;
  let transfer: ArrayBuffer[] = [];
  try {
    const done = run(task);
    response = { id, ok: true, result: done.result };
    transfer = done.transfer;
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    response = { id, ok: false, error: { name: e.name, message: e.message } };
  }
  port.postMessage(response, transfer);
});
