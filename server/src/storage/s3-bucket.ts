import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

export interface S3BucketOptions {
  bucket: string;
  /** Prepended to every key, e.g. `facedrift/`. */
  prefix?: string;
  /** For S3-compatible services (MinIO, R2, Ceph): their URL; path-style addressing is then used. */
  endpoint?: string;
  region?: string;
  /** Static credentials; by default the AWS SDK's chain (env, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Injectable for tests; by default credentials come from the AWS SDK's default chain. */
  client?: S3Client;
  /**
   * Ask S3 to encrypt objects at rest (`x-amz-server-side-encryption`): `AES256` (SSE-S3) or
   * `aws:kms` (SSE-KMS, with `kmsKeyId` or the bucket's default KMS key).
   */
  serverSideEncryption?: { type: "AES256" | "aws:kms"; kmsKeyId?: string };
}

/**
 * Objects under one prefix of an S3 bucket (or an S3-compatible service): the put, get and
 * delete that the Parquet archive (`retention/s3-store.ts`) and the image store
 * (`images/s3-store.ts`) share.
 */
export class S3Bucket {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly sse: S3BucketOptions["serverSideEncryption"];

  constructor(options: S3BucketOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? "";
    this.sse = options.serverSideEncryption;
    this.client =
      options.client ??
      new S3Client({
        // The SDK wants a region even for S3-compatible services that ignore it.
        region: options.region ?? process.env.AWS_REGION ?? "us-east-1",
        ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
      });
  }

  location(key: string): string {
    return `s3://${this.bucket}/${this.prefix}${key}`;
  }

  async put(key: string, bytes: Uint8Array, mediaType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + key,
        Body: bytes,
        ContentLength: bytes.byteLength,
        ContentType: mediaType,
        ...(this.sse ? { ServerSideEncryption: this.sse.type } : {}),
        ...(this.sse?.kmsKeyId ? { SSEKMSKeyId: this.sse.kmsKeyId } : {}),
      }),
    );
  }

  async get(key: string): Promise<Uint8Array> {
    const response = await this.client.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }),
    );
    if (!response.Body) throw new Error(`${this.location(key)}: empty response body`);
    return response.Body.transformToByteArray();
  }

  /** S3 answers 204 for a missing key too, which is the stores' "not an error". */
  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
  }
}
