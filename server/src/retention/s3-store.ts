import { S3Bucket, type S3BucketOptions } from "../storage/s3-bucket.ts";
import type { ArchiveStore } from "./archive-store.ts";

export type S3ArchiveOptions = S3BucketOptions;

/** Archive objects (Parquet files) in an S3 bucket (or an S3-compatible service). */
export class S3ArchiveStore implements ArchiveStore {
  private readonly objects: S3Bucket;

  constructor(options: S3ArchiveOptions) {
    this.objects = new S3Bucket(options);
  }

  location(key: string): string {
    return this.objects.location(key);
  }

  put(key: string, bytes: Uint8Array): Promise<void> {
    return this.objects.put(key, bytes, "application/vnd.apache.parquet");
  }

  get(key: string): Promise<Uint8Array> {
    return this.objects.get(key);
  }
}
