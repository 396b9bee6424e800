import { readFileSync } from "node:fs";
import { parseSecretKey } from "../alerts/sealed.ts";
import { defaultComputeThreads } from "../compute/pool.ts";
import { parseTrustedProxies } from "../http/client-address.ts";
import type { WebgpuSetting } from "../replica/chromium.ts";
import { parseArchiveKeys } from "../retention/archive-keys.ts";
import type { Kek } from "../retention/envelope.ts";

/** What alert channels may connect to: see `alerts/egress.ts`. */
export const EGRESS_POLICIES = ["private", "public"] as const;
export type EgressPolicy = (typeof EGRESS_POLICIES)[number];

/** Everything the server reads from flags and the environment, resolved once at start. */
export interface Config {
  port: number;
  host: string;
  /** Embedded database directory; ignored when `databaseUrl` is set. */
  dataDir: string;
  databaseUrl: string | undefined;
  /** Seeds an admin key for the default tenant (`FACEDRIFT_ADMIN_KEY`). */
  adminKey: string | undefined;
  /** Most items in one ingestion request. */
  maxBatchItems: number;
  /** Largest accepted request body, in bytes. */
  maxBodyBytes: number;
  /**
   * How far in the future an embedding's `ts` may be, in milliseconds
   * (`FACEDRIFT_MAX_FUTURE_SKEW_SECONDS`, default a day); earlier than 2001 is refused always.
   */
  maxFutureSkewMs: number;
  /**
   * Days of embeddings kept in the database (default 30); older days are archived to Parquet and
   * then deleted (`retention/`). `FACEDRIFT_RETENTION_DAYS=0` (or `off`) keeps everything.
   * A stream's `settings.retentionDays` overrides it.
   */
  retentionDays: number | undefined;
  /** Archive directory (`FACEDRIFT_ARCHIVE_DIR`); default `<dataDir>/archive`. */
  archiveDir: string | undefined;
  /** Archive to this S3 bucket instead (`FACEDRIFT_ARCHIVE_S3_BUCKET`); credentials: the AWS SDK's chain. */
  archiveS3Bucket: string | undefined;
  /** Key prefix in the bucket (`FACEDRIFT_ARCHIVE_S3_PREFIX`). */
  archiveS3Prefix: string | undefined;
  /** S3-compatible endpoint URL (`FACEDRIFT_ARCHIVE_S3_ENDPOINT`, e.g. MinIO); path-style. */
  archiveS3Endpoint: string | undefined;
  /** `FACEDRIFT_ARCHIVE_S3_REGION`, else `AWS_REGION`. */
  archiveS3Region: string | undefined;
  /**
   * S3 server-side encryption on top of Facedrift's own (`FACEDRIFT_ARCHIVE_S3_SSE`: `AES256` or
   * `aws:kms`, with `FACEDRIFT_ARCHIVE_S3_KMS_KEY_ID` for the latter's key).
   */
  archiveS3Sse: "AES256" | "aws:kms" | undefined;
  archiveS3KmsKeyId: string | undefined;
  /**
   * Key-encryption keys of the archive's envelope encryption (`FACEDRIFT_ARCHIVE_KEYS`, or the file
   * named by `FACEDRIFT_ARCHIVE_KEYS_FILE`; see `retention/archive-keys.ts`). Empty: on the
   * embedded database a key kept in the data directory, with PostgreSQL no archiving.
   */
  archiveKeys: Kek[];
  /** The key new archive files are sealed with (`FACEDRIFT_ARCHIVE_KEY_ID`); default the first. */
  archiveKeyId: string | undefined;
  /**
   * What alert channels may connect to (`FACEDRIFT_CHANNEL_EGRESS`, see `alerts/egress.ts`):
   * `private` (default) refuses link-local addresses such as cloud metadata services; `public`,
   * for multi-tenant hosting, refuses loopback and private networks too.
   */
  channelEgress: EgressPolicy;
  /**
   * Where Web Push may connect (`FACEDRIFT_PUSH_EGRESS`): `public` (default; https on public
   * addresses, which is all a browser's push service ever is) or `private` for a relay inside.
   */
  pushEgress: EgressPolicy;
  /**
   * Seals alert-channel secrets and the VAPID private key at rest (`FACEDRIFT_SECRET_KEY`, 32 bytes
   * base64 or hex; see `alerts/sealed.ts`). Unset: they are stored as given.
   */
  secretKey: Buffer | undefined;
  /** Where people reach the dashboard (`FACEDRIFT_PUBLIC_URL`): the base of links in alerts. */
  publicUrl: string | undefined;
  /** Bearer token for `GET /metrics` (`FACEDRIFT_METRICS_TOKEN`); unset: loopback clients only. */
  metricsToken: string | undefined;
  /** Origins allowed to call the API from a browser (`FACEDRIFT_CORS_ORIGINS`, comma-separated). */
  corsOrigins: string[];
  /** Requests per minute one API key or dashboard user may make (`FACEDRIFT_RATE_LIMIT_PER_MINUTE`). */
  rateLimitPerMinute: number;
  /**
   * Requests per minute one client address may make without a valid credential, refused
   * credentials included (`FACEDRIFT_ANONYMOUS_RATE_LIMIT_PER_MINUTE`); IPv6 clients per /64.
   */
  anonymousRateLimitPerMinute: number;
  /**
   * Proxies whose `X-Forwarded-For` is believed (`FACEDRIFT_TRUSTED_PROXIES`: addresses and CIDR
   * ranges, comma-separated). Default none: the TCP peer is the client.
   */
  trustedProxies: string[];
  /** Time to receive a request's headers (`FACEDRIFT_HEADERS_TIMEOUT_MS`). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included (`FACEDRIFT_REQUEST_TIMEOUT_MS`). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open (`FACEDRIFT_KEEP_ALIVE_TIMEOUT_MS`). */
  keepAliveTimeoutMs: number;
  /** Open connections the server accepts at once; more are closed at once (`FACEDRIFT_MAX_CONNECTIONS`). */
  maxConnections: number;
  /**
   * Open connections from one client address (IPv6 per /64; trusted proxies exempt)
   * (`FACEDRIFT_MAX_CONNECTIONS_PER_ADDRESS`).
   */
  maxConnectionsPerAddress: number;
  /**
   * Worker threads for CPU-heavy statistics: reference fits, batch checks, verification metrics
   * (`FACEDRIFT_COMPUTE_THREADS`; default the cores but one, 1 to 4). See `compute/pool.ts`.
   */
  computeThreads: number;
  /**
   * Largest reference file `POST …/references/import` takes, in bytes
   * (`FACEDRIFT_MAX_REFERENCE_FILE_BYTES`); replaces `maxBodyBytes` there. An export of the default
   * 5,000 stored 512-D vectors with its profile is about 30 MB, beyond the 16 MiB API limit.
   */
  maxReferenceFileBytes: number;
  /** Most files in one image upload (`FACEDRIFT_MAX_UPLOAD_FILES`). */
  maxUploadFiles: number;
  /** Largest uploaded image file, in bytes (`FACEDRIFT_MAX_UPLOAD_FILE_BYTES`). */
  maxUploadFileBytes: number;
  /** Largest image upload request, in bytes (`FACEDRIFT_MAX_UPLOAD_BYTES`); replaces `maxBodyBytes` there. */
  maxUploadBytes: number;
  /** Largest uploaded image in pixels (`FACEDRIFT_MAX_IMAGE_PIXELS`): a small file can decode to gigabytes. */
  maxImagePixels: number;
  /** Hours an uploaded image is kept after its job finished (`FACEDRIFT_IMAGE_RETENTION_HOURS`; 0 = delete at once). */
  imageRetentionHours: number;
  /** Image store directory (`FACEDRIFT_IMAGE_DIR`); default `<dataDir>/images`. */
  imageDir: string | undefined;
  /** Store images in this S3 bucket instead (`FACEDRIFT_IMAGE_S3_BUCKET`; endpoint and region: the archive's). */
  imageS3Bucket: string | undefined;
  /** Key prefix in that bucket (`FACEDRIFT_IMAGE_S3_PREFIX`). */
  imageS3Prefix: string | undefined;
  /** The Chromium a replica drives (`FACEDRIFT_CHROMIUM`, else `CHROMIUM_PATH` as the replica image sets it). */
  chromiumPath: string;
  /** Extra Chromium flags for the replica (`CHROMIUM_FLAGS`, space-separated, as deploy/k8s sets them). */
  chromiumArgs: string[];
  /**
   * WebGPU in the replica's Chromium (`FACEDRIFT_REPLICA_WEBGPU`): `auto` = the GPU's adapter when
   * the host has a GPU device, WASM otherwise; `on` = the same, or SwiftShader without a GPU;
   * `swiftshader`, `vulkan` or `opengles` to name the adapter (`replica/chromium.ts`, deploy/gpu.md).
   */
  replicaWebgpu: WebgpuSetting;
  /**
   * Images per batched page call (`FACEDRIFT_REPLICA_BATCH`): a number, or `auto` = 32 on a GPU
   * adapter (`vulkan`) and 1 otherwise (on CPU adapters and WASM batching gains nothing per image).
   */
  replicaBatch: "auto" | number;
  /** How long a replica holds a job without renewing (`FACEDRIFT_REPLICA_LEASE_MS`): how soon a dead one's job moves on. */
  replicaLeaseMs: number;
  /**
   * The labelled set server-side verification jobs score (`FACEDRIFT_VERIFICATION_PAIRS`, a
   * `left<TAB>right<TAB>same` table, and `FACEDRIFT_VERIFICATION_IMAGES`, the folder its paths are
   * relative to). Both or neither: without them `POST /v1/verification-jobs` answers 409. The
   * paths travel in the job, so replicas must see the same files (a shared volume).
   */
  verificationPairs: string | undefined;
  verificationImages: string | undefined;
  /** A verification run below this AUC raises a `verification` alert (`FACEDRIFT_VERIFICATION_MIN_AUC`). */
  verificationMinAuc: number;
  /** Only this many pairs (half genuine, half impostor) per job (`FACEDRIFT_VERIFICATION_LIMIT`); default all. */
  verificationLimit: number | undefined;
  /**
   * Queue a verification job when a batch check confirms drift on a stream (`FACEDRIFT_VERIFY_ON_DRIFT`,
   * on by default when a labelled set is configured): does the drift cost accuracy?
   */
  verifyOnDrift: boolean;
}

export const DEFAULT_CONFIG: Config = {
  port: 8080,
  host: "0.0.0.0",
  dataDir: "./.facedrift",
  databaseUrl: undefined,
  adminKey: undefined,
  maxBatchItems: 1_000,
  maxBodyBytes: 16 * 1024 * 1024,
  maxFutureSkewMs: 86_400_000,
  maxReferenceFileBytes: 256 * 1024 * 1024,
  retentionDays: 30,
  archiveDir: undefined,
  archiveS3Bucket: undefined,
  archiveS3Prefix: undefined,
  archiveS3Endpoint: undefined,
  archiveS3Region: undefined,
  archiveS3Sse: undefined,
  archiveS3KmsKeyId: undefined,
  archiveKeys: [],
  archiveKeyId: undefined,
  publicUrl: undefined,
  channelEgress: "private",
  pushEgress: "public",
  secretKey: undefined,
  metricsToken: undefined,
  corsOrigins: [],
  rateLimitPerMinute: 6_000,
  anonymousRateLimitPerMinute: 300,
  trustedProxies: [],
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 4_096,
  maxConnectionsPerAddress: 256,
  computeThreads: defaultComputeThreads(),
  maxUploadFiles: 100,
  maxUploadFileBytes: 10 * 1024 * 1024,
  maxUploadBytes: 100 * 1024 * 1024,
  maxImagePixels: 40_000_000,
  imageRetentionHours: 0,
  imageDir: undefined,
  imageS3Bucket: undefined,
  imageS3Prefix: undefined,
  chromiumPath: "/usr/bin/chromium",
  chromiumArgs: [],
  replicaWebgpu: "auto",
  replicaLeaseMs: 60_000,
  replicaBatch: "auto",
  verificationPairs: undefined,
  verificationImages: undefined,
  verificationMinAuc: 0.98,
  verificationLimit: undefined,
  verifyOnDrift: true,
};

type Env = Record<string, string | undefined>;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

function portNumber(raw: string | undefined, fallback: number): number {
  const port = positiveInt("PORT", raw, fallback);
  if (port > 65_535) throw new Error(`PORT must be a TCP port from 1 to 65535, got "${raw}"`);
  return port;
}

function unitInterval(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new Error(`${name} must be a number between 0 and 1, got "${raw}"`);
  }
  return value;
}

function onOff(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === "") return fallback;
  if (raw === "on" || raw === "true" || raw === "1") return true;
  if (raw === "off" || raw === "false" || raw === "0") return false;
  throw new Error(`${name} must be on or off, got "${raw}"`);
}

function egressMode(
  raw: string | undefined,
  name = "FACEDRIFT_CHANNEL_EGRESS",
  fallback = DEFAULT_CONFIG.channelEgress,
): EgressPolicy {
  if (raw === undefined || raw === "") return fallback;
  if ((EGRESS_POLICIES as readonly string[]).includes(raw)) return raw as EgressPolicy;
  throw new Error(`${name} must be private or public, got "${raw}"`);
}

function s3Sse(raw: string | undefined): Config["archiveS3Sse"] {
  if (raw === undefined || raw === "") return undefined;
  if (raw === "AES256" || raw === "aws:kms") return raw;
  throw new Error(`FACEDRIFT_ARCHIVE_S3_SSE must be AES256 or aws:kms, got "${raw}"`);
}

function archiveKeys(env: Env): Kek[] {
  if (env.FACEDRIFT_ARCHIVE_KEYS && env.FACEDRIFT_ARCHIVE_KEYS_FILE) {
    throw new Error("FACEDRIFT_ARCHIVE_KEYS and FACEDRIFT_ARCHIVE_KEYS_FILE: set one of them, not both");
  }
  if (env.FACEDRIFT_ARCHIVE_KEYS) return parseArchiveKeys(env.FACEDRIFT_ARCHIVE_KEYS);
  const file = env.FACEDRIFT_ARCHIVE_KEYS_FILE;
  if (!file) return [];
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`FACEDRIFT_ARCHIVE_KEYS_FILE: cannot read ${file}: ${(error as Error).message}`);
  }
  const keys = parseArchiveKeys(text, `FACEDRIFT_ARCHIVE_KEYS_FILE (${file})`);
  if (keys.length === 0) throw new Error(`FACEDRIFT_ARCHIVE_KEYS_FILE: ${file} lists no key`);
  return keys;
}

function webgpuMode(raw: string | undefined): Config["replicaWebgpu"] {
  if (raw === undefined || raw === "") return DEFAULT_CONFIG.replicaWebgpu;
  const settings = ["auto", "on", "off", "swiftshader", "vulkan", "opengles"] as const;
  const found = settings.find((setting) => setting === raw);
  if (found) return found;
  throw new Error(`FACEDRIFT_REPLICA_WEBGPU must be one of ${settings.join(", ")}, got "${raw}"`);
}

/**
 * Flags win over the environment, which wins over the defaults. Empty strings count as unset so
 * that `DATABASE_URL=` in a shell selects the embedded database.
 */
export function loadConfig(env: Env = process.env, flags: Partial<Config> = {}): Config {
  const fromEnv: Config = {
    port: portNumber(env.PORT, DEFAULT_CONFIG.port),
    host: env.HOST || DEFAULT_CONFIG.host,
    dataDir: env.FACEDRIFT_DATA_DIR || DEFAULT_CONFIG.dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    adminKey: env.FACEDRIFT_ADMIN_KEY || undefined,
    maxBatchItems: positiveInt(
      "FACEDRIFT_MAX_BATCH_ITEMS",
      env.FACEDRIFT_MAX_BATCH_ITEMS,
      DEFAULT_CONFIG.maxBatchItems,
    ),
    maxBodyBytes: positiveInt(
      "FACEDRIFT_MAX_BODY_BYTES",
      env.FACEDRIFT_MAX_BODY_BYTES,
      DEFAULT_CONFIG.maxBodyBytes,
    ),
    maxFutureSkewMs:
      positiveInt(
        "FACEDRIFT_MAX_FUTURE_SKEW_SECONDS",
        env.FACEDRIFT_MAX_FUTURE_SKEW_SECONDS,
        DEFAULT_CONFIG.maxFutureSkewMs / 1000,
      ) * 1000,
    maxReferenceFileBytes: positiveInt(
      "FACEDRIFT_MAX_REFERENCE_FILE_BYTES",
      env.FACEDRIFT_MAX_REFERENCE_FILE_BYTES,
      DEFAULT_CONFIG.maxReferenceFileBytes,
    ),
    retentionDays:
      env.FACEDRIFT_RETENTION_DAYS === "0" || env.FACEDRIFT_RETENTION_DAYS === "off"
        ? undefined
        : positiveInt("FACEDRIFT_RETENTION_DAYS", env.FACEDRIFT_RETENTION_DAYS, 30),
    archiveDir: env.FACEDRIFT_ARCHIVE_DIR || undefined,
    archiveS3Bucket: env.FACEDRIFT_ARCHIVE_S3_BUCKET || undefined,
    archiveS3Prefix: env.FACEDRIFT_ARCHIVE_S3_PREFIX || undefined,
    archiveS3Endpoint: env.FACEDRIFT_ARCHIVE_S3_ENDPOINT || undefined,
    archiveS3Region: env.FACEDRIFT_ARCHIVE_S3_REGION || undefined,
    archiveS3Sse: s3Sse(env.FACEDRIFT_ARCHIVE_S3_SSE),
    archiveS3KmsKeyId: env.FACEDRIFT_ARCHIVE_S3_KMS_KEY_ID || undefined,
    archiveKeys: archiveKeys(env),
    archiveKeyId: env.FACEDRIFT_ARCHIVE_KEY_ID || undefined,
    publicUrl: env.FACEDRIFT_PUBLIC_URL || undefined,
    channelEgress: egressMode(env.FACEDRIFT_CHANNEL_EGRESS),
    pushEgress: egressMode(env.FACEDRIFT_PUSH_EGRESS, "FACEDRIFT_PUSH_EGRESS", DEFAULT_CONFIG.pushEgress),
    secretKey: env.FACEDRIFT_SECRET_KEY ? parseSecretKey(env.FACEDRIFT_SECRET_KEY) : undefined,
    metricsToken: env.FACEDRIFT_METRICS_TOKEN || undefined,
    corsOrigins: (env.FACEDRIFT_CORS_ORIGINS ?? "")
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean),
    rateLimitPerMinute: positiveInt(
      "FACEDRIFT_RATE_LIMIT_PER_MINUTE",
      env.FACEDRIFT_RATE_LIMIT_PER_MINUTE,
      DEFAULT_CONFIG.rateLimitPerMinute,
    ),
    anonymousRateLimitPerMinute: positiveInt(
      "FACEDRIFT_ANONYMOUS_RATE_LIMIT_PER_MINUTE",
      env.FACEDRIFT_ANONYMOUS_RATE_LIMIT_PER_MINUTE,
      DEFAULT_CONFIG.anonymousRateLimitPerMinute,
    ),
    trustedProxies: (env.FACEDRIFT_TRUSTED_PROXIES ?? "")
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean),
    headersTimeoutMs: positiveInt(
      "FACEDRIFT_HEADERS_TIMEOUT_MS",
      env.FACEDRIFT_HEADERS_TIMEOUT_MS,
      DEFAULT_CONFIG.headersTimeoutMs,
    ),
    requestTimeoutMs: positiveInt(
      "FACEDRIFT_REQUEST_TIMEOUT_MS",
      env.FACEDRIFT_REQUEST_TIMEOUT_MS,
      DEFAULT_CONFIG.requestTimeoutMs,
    ),
    keepAliveTimeoutMs: positiveInt(
      "FACEDRIFT_KEEP_ALIVE_TIMEOUT_MS",
      env.FACEDRIFT_KEEP_ALIVE_TIMEOUT_MS,
      DEFAULT_CONFIG.keepAliveTimeoutMs,
    ),
    maxConnections: positiveInt(
      "FACEDRIFT_MAX_CONNECTIONS",
      env.FACEDRIFT_MAX_CONNECTIONS,
      DEFAULT_CONFIG.maxConnections,
    ),
    maxConnectionsPerAddress: positiveInt(
      "FACEDRIFT_MAX_CONNECTIONS_PER_ADDRESS",
      env.FACEDRIFT_MAX_CONNECTIONS_PER_ADDRESS,
      DEFAULT_CONFIG.maxConnectionsPerAddress,
    ),
    computeThreads: positiveInt(
      "FACEDRIFT_COMPUTE_THREADS",
      env.FACEDRIFT_COMPUTE_THREADS,
      DEFAULT_CONFIG.computeThreads,
    ),
    maxUploadFiles: positiveInt("FACEDRIFT_MAX_UPLOAD_FILES", env.FACEDRIFT_MAX_UPLOAD_FILES, 100),
    maxUploadFileBytes: positiveInt(
      "FACEDRIFT_MAX_UPLOAD_FILE_BYTES",
      env.FACEDRIFT_MAX_UPLOAD_FILE_BYTES,
      DEFAULT_CONFIG.maxUploadFileBytes,
    ),
    maxUploadBytes: positiveInt(
      "FACEDRIFT_MAX_UPLOAD_BYTES",
      env.FACEDRIFT_MAX_UPLOAD_BYTES,
      DEFAULT_CONFIG.maxUploadBytes,
    ),
    maxImagePixels: positiveInt(
      "FACEDRIFT_MAX_IMAGE_PIXELS",
      env.FACEDRIFT_MAX_IMAGE_PIXELS,
      DEFAULT_CONFIG.maxImagePixels,
    ),
    imageRetentionHours:
      env.FACEDRIFT_IMAGE_RETENTION_HOURS === "0"
        ? 0
        : positiveInt("FACEDRIFT_IMAGE_RETENTION_HOURS", env.FACEDRIFT_IMAGE_RETENTION_HOURS, 0),
    imageDir: env.FACEDRIFT_IMAGE_DIR || undefined,
    imageS3Bucket: env.FACEDRIFT_IMAGE_S3_BUCKET || undefined,
    imageS3Prefix: env.FACEDRIFT_IMAGE_S3_PREFIX || undefined,
    chromiumPath: env.FACEDRIFT_CHROMIUM || env.CHROMIUM_PATH || DEFAULT_CONFIG.chromiumPath,
    chromiumArgs: (env.CHROMIUM_FLAGS ?? "").split(/\s+/).filter(Boolean),
    replicaWebgpu: webgpuMode(env.FACEDRIFT_REPLICA_WEBGPU),
    replicaBatch:
      env.FACEDRIFT_REPLICA_BATCH === "auto" || !env.FACEDRIFT_REPLICA_BATCH
        ? "auto"
        : positiveInt("FACEDRIFT_REPLICA_BATCH", env.FACEDRIFT_REPLICA_BATCH, 1),
    replicaLeaseMs: positiveInt(
      "FACEDRIFT_REPLICA_LEASE_MS",
      env.FACEDRIFT_REPLICA_LEASE_MS,
      DEFAULT_CONFIG.replicaLeaseMs,
    ),
    verificationPairs: env.FACEDRIFT_VERIFICATION_PAIRS || undefined,
    verificationImages: env.FACEDRIFT_VERIFICATION_IMAGES || undefined,
    verificationMinAuc: unitInterval(
      "FACEDRIFT_VERIFICATION_MIN_AUC",
      env.FACEDRIFT_VERIFICATION_MIN_AUC,
      DEFAULT_CONFIG.verificationMinAuc,
    ),
    verificationLimit:
      env.FACEDRIFT_VERIFICATION_LIMIT === undefined || env.FACEDRIFT_VERIFICATION_LIMIT === ""
        ? undefined
        : positiveInt("FACEDRIFT_VERIFICATION_LIMIT", env.FACEDRIFT_VERIFICATION_LIMIT, 0),
    verifyOnDrift: onOff(
      "FACEDRIFT_VERIFY_ON_DRIFT",
      env.FACEDRIFT_VERIFY_ON_DRIFT,
      DEFAULT_CONFIG.verifyOnDrift,
    ),
  };
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const config = { ...fromEnv, ...defined };
  if ((config.verificationPairs === undefined) !== (config.verificationImages === undefined)) {
    throw new Error(
      "FACEDRIFT_VERIFICATION_PAIRS and FACEDRIFT_VERIFICATION_IMAGES go together: set both or neither",
    );
  }
  if (config.archiveS3KmsKeyId !== undefined && config.archiveS3Sse !== "aws:kms") {
    throw new Error("FACEDRIFT_ARCHIVE_S3_KMS_KEY_ID needs FACEDRIFT_ARCHIVE_S3_SSE=aws:kms");
  }
  if (
    config.archiveKeyId !== undefined &&
    config.archiveKeys.length > 0 &&
    !config.archiveKeys.some((k) => k.id === config.archiveKeyId)
  ) {
    throw new Error(
      `FACEDRIFT_ARCHIVE_KEY_ID "${config.archiveKeyId}" is not one of the configured archive keys`,
    );
  }
  if (config.adminKey !== undefined) {
    const why = adminKeyWeakness(config.adminKey);
    if (why) {
      throw new Error(
        `FACEDRIFT_ADMIN_KEY ${why}; it unlocks every tenant's administration, so choose a random one, ` +
          "e.g. fd_$(openssl rand -hex 24)",
      );
    }
  }
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    throw new Error("FACEDRIFT_HEADERS_TIMEOUT_MS must not exceed FACEDRIFT_REQUEST_TIMEOUT_MS");
  }
  parseTrustedProxies(config.trustedProxies); // fails at start, naming the bad entry
  if (config.verificationLimit !== undefined && config.verificationLimit < 2) {
    throw new Error("FACEDRIFT_VERIFICATION_LIMIT must be at least 2 (one pair of each class)");
  }
  return config;
}

/**
 * Why an operator-chosen admin key is too weak, or null. The key is a bearer credential for the
 * default tenant's admin scope: at least 32 characters, no white space, and not a placeholder
 * (a run of one or two characters, `CHANGE-ME…`). A key this server generates (`fd_` + 43
 * base64url characters) passes.
 */
export function adminKeyWeakness(key: string): string | null {
  if (key.length < 32) return `is ${key.length} characters long; use at least 32`;
  if (/\s/.test(key)) return "contains white space";
  if (new Set(key).size < 10) return "uses fewer than 10 different characters";
  if (/change.?me|changeit|password|secret|example/i.test(key)) return "looks like a placeholder";
  return null;
}

/** The base of dashboard links in alerts: the public URL, else this server on localhost. */
export function dashboardBaseUrl(config: Pick<Config, "publicUrl" | "port">): string {
  return config.publicUrl ?? `http://localhost:${config.port}/`;
}
