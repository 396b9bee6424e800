import { join } from "node:path";
import type { Config } from "../config/config.ts";
import type { ArchiveAccess } from "../services/embeddings/delete.ts";
import { type ArchiveKeyRing, archiveKeyRingFor } from "./archive-keys.ts";
import type { ArchiveStore } from "./archive-store.ts";
import { LocalArchiveStore } from "./local-store.ts";
import { S3ArchiveStore } from "./s3-store.ts";

/** S3 when `FACEDRIFT_ARCHIVE_S3_BUCKET` is set, else `FACEDRIFT_ARCHIVE_DIR` or `<dataDir>/archive`. */
export function archiveStoreFor(config: Config): ArchiveStore {
  if (config.archiveS3Bucket) {
    return new S3ArchiveStore({
      bucket: config.archiveS3Bucket,
      ...(config.archiveS3Prefix ? { prefix: config.archiveS3Prefix } : {}),
      ...(config.archiveS3Endpoint ? { endpoint: config.archiveS3Endpoint } : {}),
      ...(config.archiveS3Region ? { region: config.archiveS3Region } : {}),
      ...(config.archiveS3Sse
        ? {
            serverSideEncryption: {
              type: config.archiveS3Sse,
              ...(config.archiveS3KmsKeyId ? { kmsKeyId: config.archiveS3KmsKeyId } : {}),
            },
          }
        : {}),
    });
  }
  return new LocalArchiveStore(config.archiveDir ?? join(config.dataDir, "archive"));
}

/** The configured key ring (on the embedded database, the data directory's, made on first use). */
export function archiveKeysFor(config: Config): ArchiveKeyRing | null {
  return archiveKeyRingFor(config, { create: true });
}

/** What privacy erasure needs to reach archived days. */
export function archiveAccessFor(config: Config): ArchiveAccess {
  return { store: archiveStoreFor(config), keys: () => archiveKeysFor(config) };
}
