import { S3Bucket, type S3BucketOptions } from "../storage/s3-bucket.ts";
import type { ArchiveStore } from "./archive-store.ts";

export type S3ArchiveOptions = S3BucketOptions;

/**
 * Archive objects (sealed Parquet files) in an S3 bucket (or an S3-compatible service), with
 * S3's server-side encryption requested on top when `serverSideEncryption` is set.
 */
export class S3ArchiveStore implements ArchiveStore {
  private readonly objects: S3Bucket;

  constructor(options: S3ArchiveOptions) {
    this.objects = new S3Bucket(options);
  }

  location(key: string): string {
    return this.objects.location(key);
  }

  put(key: string, bytes: Uint8Array): Promise<void> {
    // Sealed files are opaque bytes; only a legacy plaintext archive is Parquet as such.
    return this.objects.put(
      key,
      bytes,
      key.endsWith(".parquet") ? "application/vnd.apache.parquet" : "application/octet-stream",
    );
  }

  get(key: string): Promise<Uint8Array> {
    return this.objects.get(key);
  }

  delete(key: string): Promise<void> {
    return this.objects.delete(key);
  }
}
