import { S3Bucket, type S3BucketOptions } from "../storage/s3-bucket.ts";
import type { ImageStore } from "./store.ts";

export type S3ImageOptions = S3BucketOptions;

/** Images in an S3 bucket (or an S3-compatible service). */
export class S3ImageStore implements ImageStore {
  private readonly objects: S3Bucket;

  constructor(options: S3ImageOptions) {
    this.objects = new S3Bucket(options);
  }

  put(key: string, bytes: Uint8Array, mediaType: string): Promise<void> {
    return this.objects.put(key, bytes, mediaType);
  }

  get(key: string): Promise<Uint8Array> {
    return this.objects.get(key);
  }

  delete(key: string): Promise<void> {
    return this.objects.delete(key);
  }
}
