import { hostname } from "node:os";
import { type Config, dashboardBaseUrl } from "../config/config.ts";
import type { Database } from "../db/database.ts";
import { imageStoreFor } from "../images/store-from-config.ts";
import type { Logger } from "../log.ts";
import { launchChromiumEmbedder, replicaBatchSize, webgpuAdapterFor } from "./chromium.ts";
import { ReplicaWorker } from "./worker.ts";

/**
 * A replica on an open database, as `facedrift replica` and `facedrift serve --replica` run it:
 * Chromium from the config, images from the configured store, the owner named after this process.
 */
export function startReplica(
  database: Database,
  config: Config,
  log: Logger,
  options: {
    leaseMs?: number;
    pollMs?: number;
    stallMs?: number;
    webRoot?: string;
    /** Start Chromium at the first job instead of at once (see `ReplicaOptions`). */
    browserWhenNeeded?: boolean;
  } = {},
): ReplicaWorker {
  const webgpu = webgpuAdapterFor(config.replicaWebgpu);
  const batchSize = replicaBatchSize(config.replicaBatch, webgpu);
  const worker = new ReplicaWorker({
    database,
    store: imageStoreFor(config),
    owner: `replica:${hostname()}:${process.pid}`,
    imageRetentionHours: config.imageRetentionHours,
    dashboardBaseUrl: dashboardBaseUrl(config),
    log,
    leaseMs: options.leaseMs ?? config.replicaLeaseMs,
    ...(options.pollMs ? { pollMs: options.pollMs } : {}),
    ...(options.stallMs ? { stallMs: options.stallMs } : {}),
    ...(options.browserWhenNeeded ? { browserWhenNeeded: true } : {}),
    batchSize,
    openEmbedder: async () => {
      const embedder = await launchChromiumEmbedder({
        executablePath: config.chromiumPath,
        webgpu,
        args: config.chromiumArgs,
        ...(options.webRoot ? { webRoot: options.webRoot } : {}),
      });
      log("info", "replica browser ready", {
        engines: embedder.loaded.engines.map((e) => `${e.runtime}/${e.backend}`),
        ...(webgpu ? { webgpu, adapters: embedder.loaded.engines.map((e) => e.adapter ?? "none") } : {}),
        ...(embedder.loaded.fallback ? { fallback: embedder.loaded.fallback } : {}),
        embedder: `${embedder.loaded.embedder.id}@${embedder.loaded.embedder.version}`,
        loadMs: Math.round(embedder.loaded.loadMs),
        batchSize,
      });
      return embedder;
    },
  });
  worker.start();
  return worker;
}
