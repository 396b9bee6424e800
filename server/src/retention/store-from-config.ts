import { join } from "node:path";
import type { Config } from "../config/config.ts";
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
    });
  }
  return new LocalArchiveStore(config.archiveDir ?? join(config.dataDir, "archive"));
}
