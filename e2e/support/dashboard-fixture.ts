/**
 * @module
 * A real `facedrift serve` (embedded database in a temp `--data-dir`, serving the built web app)
 * seeded through the public API with a drifting stream, for the dashboard journeys:
 *
 * - a dashboard user (made with `facedrift users create` before the server opens the database:
 *   PGlite allows one process per data directory) and the admin API key;
 * - `lobby`: a reference fitted on in-distribution embeddings, then more of them, then an abrupt
 *   latent shift at `driftIndex` (the demo's generator, `syntheticModel`), each with the quality
 *   metadata the capture station sends — after the shift faces get smaller and darker, as after a
 *   camera swap; the streaming worker's ADWIN detection is awaited; four batch checks (two before,
 *   two after the shift) give PSI/KS/MMD runs with flagged components and a batch alert;
 * - `entrance`: a quiet stream with its own reference and one clean check, so the overview has a
 *   stream that is fine.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seededRng, syntheticModel } from "@facedrift/stats";
import type { Page } from "playwright-core";
import { facedriftServer } from "./facedrift-server.ts";
import { freePort } from "./ports.ts";
import { ensureWebBuild } from "./web-build.ts";

const BIN = join(import.meta.dirname, "..", "..", "server", "bin", "facedrift.mjs");

export const DASHBOARD_MODEL = { id: "demo-synthetic", version: "1" } as const;

export interface DashboardFixture {
  /** The server's origin: the web app and the API. */
  baseUrl: string;
  email: string;
  password: string;
  /** An admin API key (Bearer), for seeding more data or reading the API directly. */
  apiKey: string;
  /** The drifting stream. */
  stream: string;
  /** The quiet stream. */
  quietStream: string;
  /** Embeddings stored in `stream`. */
  streamEmbeddings: number;
  /** Index (0-based, in send order) of the first drifted embedding of `stream`. */
  driftIndex: number;
  /** Seq of the first drifted embedding of `stream`. */
  driftSeq: number;
  /** Seq at which the streaming detector (ADWIN on PC1) fired after the shift. */
  detectionSeq: number;
  /** Calls the API with the admin key; JSON in and out, throws on a non-2xx answer. */
  api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  /** Logs `page` in through the login form and waits for the overview. */
  login(page: Page): Promise<void>;
  close(): Promise<void>;
}

export interface DashboardFixtureOptions {
  /** Embedding dimension (default 64: the statistics do not care, seeding is cheaper). */
  dimension?: number;
  seed?: number;
  /** Told each seeding step with the seconds since the start (for finding what is slow). */
  progress?: (line: string) => void;
}

export async function startDashboardFixture(
  options: DashboardFixtureOptions = {},
): Promise<DashboardFixture> {
  ensureWebBuild();
  const dimension = options.dimension ?? 64;
  const seed = options.seed ?? 5;
  const started = Date.now();
  const step = (what: string) =>
    options.progress?.(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);
  const dataDir = mkdtempSync(join(tmpdir(), "facedrift-e2e-dashboard-"));
  const email = "analyst@example.com";
  const password = "correct horse battery staple";
  const adminKey = "fd_e2e_dashboard_admin_key_0123456789";
  await createUser(dataDir, email, password);
  step("user created");
  const server = facedriftServer({ port: await freePort(), dataDir, adminKey });
  await server.start();
  step("server ready");
  const close = async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await server.api(path, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await response.json()) as T;
      if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${JSON.stringify(json)}`);
      return json;
    };
    const seeded = await seed_(api, dimension, seed);
    step("seeded");
    return {
      baseUrl: server.url,
      email,
      password,
      apiKey: adminKey,
      stream: "lobby",
      quietStream: "entrance",
      ...seeded,
      api,
      async login(page) {
        await page.goto(`${server.url}/login`);
        await page.getByLabel("E-mail").fill(email);
        await page.getByLabel("Password").fill(password);
        await page.getByRole("button", { name: "Log in" }).click();
        await page.waitForURL((url) => url.pathname === "/streams");
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** `facedrift users create` on the (not yet served) data directory; the password goes on stdin. */
async function createUser(dataDir: string, email: string, password: string): Promise<void> {
  const child = spawn(process.execPath, [BIN, "users", "create", "--data-dir", dataDir, "--email", email], {
    env: { ...process.env, DATABASE_URL: "" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  child.stdin.end(password);
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`facedrift users create exited ${code}:\n${output}`);
}

type Api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => Promise<T>;

/** Quality signals as the capture station records them (`models` FaceQuality), seeded. */
function qualitySampler(seed: number) {
  const rng = seededRng(seed);
  const around = (centre: number, spread: number) => centre + (rng() * 2 - 1) * spread;
  return (drifted: boolean) => ({
    faceSize: Math.round(drifted ? around(72, 12) : around(128, 18)),
    detectorScore: Number(around(drifted ? 0.82 : 0.96, 0.03).toFixed(3)),
    blur: Number(around(drifted ? 60 : 180, drifted ? 20 : 40).toFixed(1)),
    brightness: Number(around(drifted ? 68 : 132, 12).toFixed(1)),
  });
}

async function seed_(api: Api, dimension: number, seed: number) {
  const model = syntheticModel({ dimension, modelSeed: seed });
  const quality = qualitySampler(seed);
  const sent: Record<string, number> = {};
  const lastSeq = { lobby: 0, entrance: 0 } as Record<string, number>;
  const send = async (stream: string, vectors: Float32Array, count: number, drifted: boolean) => {
    for (let start = 0; start < count; start += 500) {
      const rows = Math.min(500, count - start);
      const offset = sent[stream] ?? 0;
      const items = Array.from({ length: rows }, (_, r) => {
        const row = vectors.subarray((start + r) * dimension, (start + r + 1) * dimension);
        return {
          id: `${stream}-${offset + r}`,
          ts: Date.now(),
          embedding_b64: Buffer.from(row.buffer, row.byteOffset, row.byteLength).toString("base64"),
          device: "camera-1",
          metadata: { quality: quality(drifted), app: "e2e-fixture" },
        };
      });
      const answer = await api<{ lastSeq: number }>("POST", `/v1/streams/${stream}/embeddings`, {
        model: DASHBOARD_MODEL,
        items,
      });
      lastSeq[stream] = answer.lastSeq;
      sent[stream] = offset + rows;
    }
  };
  // 500: the batch check flags no component on PSI in smaller windows (docs/detection-quality.md).
  const check = (stream: string) => api("POST", `/v1/streams/${stream}/checks`, { last: 500, seed });

  // The quiet stream: reference, more of the same, one clean check.
  const quiet = async () => {
    await send("entrance", model.sample(600, seed + 10), 600, false);
    await api("POST", "/v1/streams/entrance/reference", { last: 600, options: { seed } });
    await send("entrance", model.sample(500, seed + 11), 500, false);
    await check("entrance");
  };

  // The drifting stream. Its first drifted seq is read back through the API, the way a client
  // finds it, although seqs count per stream (it is the number after the last one sent).
  const drifting = async () => {
    await send("lobby", model.sample(800, seed + 1), 800, false);
    await api("POST", "/v1/streams/lobby/reference", { last: 800, options: { seed } });
    await send("lobby", model.sample(400, seed + 2), 400, false);
    await check("lobby");
    await send("lobby", model.sample(400, seed + 3), 400, false);
    await check("lobby");
    const driftIndex = sent.lobby as number;
    const before = lastSeq.lobby;
    await send("lobby", model.sample(400, seed + 4, { latentShift: 0.8 }), 400, true);
    const { items } = await api<{ items: Array<{ seq: number }> }>(
      "GET",
      `/v1/streams/lobby/embeddings?after_seq=${before}&limit=1`,
    );
    const driftSeq = items[0]?.seq as number;
    await check("lobby");
    await send("lobby", model.sample(400, seed + 5, { latentShift: 0.8 }), 400, true);
    const detectionSeq = await firstDetection(api, "lobby", driftSeq);
    const drifted = await check("lobby");
    if (drifted.drift !== true)
      throw new Error(`the last check did not confirm drift: ${JSON.stringify(drifted)}`);
    return { streamEmbeddings: sent.lobby as number, driftIndex, driftSeq, detectionSeq };
  };
  // Two streams at once: seeding is mostly waiting on the server, which has two cores.
  const [, lobby] = await Promise.all([quiet(), drifting()]);
  return lobby;
}

/** Waits (up to 60 s) for the streaming worker's first detection at or after `fromSeq`. */
async function firstDetection(api: Api, stream: string, fromSeq: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { items } = await api<{ items: Array<{ seq: number }> }>(
      "GET",
      `/v1/streams/${stream}/events?limit=100`,
    );
    const after = items.map((event) => event.seq).filter((seq) => seq >= fromSeq);
    if (after.length > 0) return Math.min(...after);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the streaming detector did not fire on ${stream} within 60 s`);
}
