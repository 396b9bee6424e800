import { join } from "node:path";
import type { Config } from "../config/config.ts";
import { LocalImageStore } from "./local-store.ts";
import { S3ImageStore } from "./s3-store.ts";
import type { ImageStore } from "./store.ts";

/** S3 when `FACEDRIFT_IMAGE_S3_BUCKET` is set, else `FACEDRIFT_IMAGE_DIR` or `<dataDir>/images`. */
export function imageStoreFor(config: Config): ImageStore {
  if (config.imageS3Bucket) {
    return new S3ImageStore({
      bucket: config.imageS3Bucket,
      ...(config.imageS3Prefix ? { prefix: config.imageS3Prefix } : {}),
      ...(config.archiveS3Endpoint ? { endpoint: config.archiveS3Endpoint } : {}),
      ...(config.archiveS3Region ? { region: config.archiveS3Region } : {}),
    });
  }
  return new LocalImageStore(config.imageDir ?? join(config.dataDir, "images"));
}
