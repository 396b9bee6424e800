/**
 * `facedrift demo`: the whole product on its embedded default, end to end, in a minute. Starts
 * `facedrift serve` (a real child process on a free port), sends a synthetic face-embedding
 * stream through the public API, fits a reference, injects a drift at a known embedding, and
 * reports when each detector fired and the incident they make. Everything goes through HTTP, as a
 * real client would. It prints the dashboard's address, a login made for the demo and its admin
 * key; run from a terminal it keeps the server up for a look until Ctrl-C.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { syntheticModel } from "@facedrift/stats";

export interface DemoOptions {
  /** Where the demo database lives (default: a temporary directory, removed afterwards). */
  dataDir?: string;
  dimension?: number;
  referenceSize?: number;
  /** In-distribution embeddings streamed before the drift starts. */
  before?: number;
  /** Drifted embeddings streamed after it. */
  after?: number;
  /** Latent mean shift of the drift, in standard deviations. */
  shift?: number;
  seed?: number;
  /** Progress and results go here (default stderr/stdout). */
  say?: (line: string) => void;
  /** After the report, keep the server running until SIGINT/SIGTERM (the CLI, from a terminal). */
  keepRunning?: boolean;
  /** Receives the result before the server is kept running (to print it at once). */
  onReport?: (result: DemoResult) => void;
}

export interface DemoResult {
  driftStartsAt: number;
  streamDetection: { embedding: number; delay: number } | null;
  batchBefore: { severity: string; drift: boolean };
  batchAfter: { severity: string; drift: boolean; mmdPValue: number | null };
  /** The stream's incidents: one drift episode should be one. */
  incidents: {
    id: number;
    severity: string;
    status: string;
    category: string | null;
    detectors: string[];
    findingCount: number;
  }[];
  /** Where to look, and how to log in. */
  dashboard: { url: string; email: string; password: string; apiKey: string; built: boolean };
}

const WEB_BUILD = join(import.meta.dirname, "../../../web/build/200.html");

const BIN = join(import.meta.dirname, "../../bin/facedrift.mjs");
/** How much the injected pipeline change multiplies the embeddings' noise. */
const NOISE_SCALE = 3;
const MODEL = { id: "demo-synthetic", version: "1" };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const say = options.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const d = options.dimension ?? 128;
  const referenceSize = options.referenceSize ?? 2000;
  const before = options.before ?? 1500;
  const after = options.after ?? 1500;
  const seed = options.seed ?? 1;
  const tempDir = options.dataDir ? undefined : mkdtempSync(join(tmpdir(), "facedrift-demo-"));
  const dataDir = options.dataDir ?? (tempDir as string);
  const port = await freePort();
  const adminKey = `fd_demo_${randomBytes(16).toString("hex")}`;
  const base = `http://127.0.0.1:${port}`;

  say(`starting facedrift serve on ${base} (embedded database in ${dataDir})`);
  const server: ChildProcess = spawn(
    process.execPath,
    [BIN, "serve", "--port", String(port), "--data-dir", dataDir, "--no-scheduler"],
    {
      env: { ...process.env, FACEDRIFT_ADMIN_KEY: adminKey, DATABASE_URL: "" },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  try {
    await waitReady(base);
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${JSON.stringify(json)}`);
      return json;
    };
    const model = syntheticModel({ dimension: d, modelSeed: seed });
    let sent = 0;
    let lastSeq = 0;
    const send = async (vectors: Float32Array, count: number) => {
      for (let start = 0; start < count; start += 250) {
        const rows = Math.min(250, count - start);
        const items = Array.from({ length: rows }, (_, r) => {
          const row = vectors.subarray((start + r) * d, (start + r + 1) * d);
          return {
            id: `e${sent + r}`,
            ts: Date.now(),
            embedding_b64: Buffer.from(row.buffer, row.byteOffset, row.byteLength).toString("base64"),
          };
        });
        const answer = await api("POST", "/v1/streams/demo/embeddings", { model: MODEL, items });
        lastSeq = Number(answer.lastSeq);
        sent += rows;
      }
    };

    say(`1/4 sending ${referenceSize} in-distribution embeddings (${d}-D) and fitting the reference`);
    await send(model.sample(referenceSize, seed + 1), referenceSize);
    const reference = await api("POST", "/v1/streams/demo/reference", {
      last: referenceSize,
      options: { seed },
    });
    say(
      `    reference v${reference.version}: PC1 explains ${(Number((reference.explained_variance_ratio as number[])[0]) * 100).toFixed(1)} % of the variance`,
    );

    say(`2/4 streaming ${before} more in-distribution embeddings`);
    await send(model.sample(before, seed + 2), before);
    const quiet = await api("POST", "/v1/streams/demo/checks", { last: 500, seed });
    say(`    batch check: severity ${quiet.severity}, drift ${quiet.drift}`);

    const driftStartsAt = sent;
    const driftStartSeq = lastSeq + 1;
    // A pipeline change, not new people: faces move (latent shift) and a broken pre-processing
    // step fills the embeddings with noise. A shift alone would be read as who is seen changing
    // (docs/who-vs-how.md, "Without quality signals").
    say(
      `3/4 injecting a drift at embedding #${driftStartsAt} (a pipeline change: latent shift ${options.shift ?? 0.5} σ, ${NOISE_SCALE}× the embeddings' noise) and streaming ${after}`,
    );
    await send(
      model.sample(after, seed + 3, { latentShift: options.shift ?? 0.5, noiseScale: NOISE_SCALE }),
      after,
    );
    const firstEvent = await waitForEvent(api, driftStartSeq);
    const streamDetection =
      firstEvent === null
        ? null
        : { embedding: driftStartsAt + firstEvent - driftStartSeq, delay: firstEvent - driftStartSeq };
    say(
      streamDetection
        ? `    stream detector (ADWIN on PC1) fired at embedding #${streamDetection.embedding}: ${streamDetection.delay} embeddings after the drift began`
        : "    stream detector (ADWIN on PC1) did not fire",
    );

    say("4/4 running the batch check on the latest 500 embeddings");
    const drifted = await api("POST", "/v1/streams/demo/checks", { last: 500, seed });
    const results = drifted.results as { mmd?: { pValue?: number } | null; psi?: { flagged?: number[] } };
    const mmdPValue = results.mmd?.pValue ?? null;
    say(
      `    batch check: ${drifted.drift ? "drift confirmed" : "no drift"}, PSI-flagged components ${JSON.stringify(results.psi?.flagged ?? [])}, ` +
        `MMD p ${mmdPValue === null ? "n/a" : mmdPValue < 0.001 ? "< 0.001" : `= ${mmdPValue.toFixed(3)}`}`,
    );

    const listed = (await api("GET", "/v1/incidents?stream=demo&status=active")).items as Array<{
      id: number;
      severity: string;
      status: string;
      category: string | null;
      title: string;
      detectors: { kind: string }[];
      findingCount: number;
    }>;
    const incidents = listed.map((i) => ({
      id: i.id,
      severity: i.severity,
      status: i.status,
      category: i.category,
      detectors: i.detectors.map((d) => d.kind),
      findingCount: i.findingCount,
    }));
    for (const incident of listed) {
      say(
        `    incident #${incident.id} (${incident.severity}, ${incident.category ?? "unclassified"}): ${incident.title}, ${incident.findingCount} findings`,
      );
    }

    // A login for the dashboard, so the drift can be seen where a user would look for it.
    const email = "demo@facedrift.local";
    const password = randomBytes(12).toString("base64url");
    await api("POST", "/v1/users", { email, password });
    const first = incidents[0];
    const url = first ? `${base}/alerts?incident=${first.id}` : `${base}/streams/demo`;
    const built = existsSync(WEB_BUILD);
    say("");
    if (built) say(`dashboard: ${url}  (log in as ${email} / ${password})`);
    else say(`dashboard: not built here; run \`npm run build -w web\` (npm start does) and the demo again`);
    say(`API: ${base}  (export KEY=${adminKey})`);
    const result: DemoResult = {
      driftStartsAt,
      streamDetection,
      batchBefore: { severity: String(quiet.severity), drift: Boolean(quiet.drift) },
      batchAfter: { severity: String(drifted.severity), drift: Boolean(drifted.drift), mmdPValue },
      incidents,
      dashboard: { url, email, password, apiKey: adminKey, built },
    };
    if (options.keepRunning) {
      options.onReport?.(result);
      say("the demo server keeps running for a look; Ctrl-C stops it and deletes its temporary database");
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
    }
    return result;
  } finally {
    server.kill("SIGTERM");
    await new Promise((resolve) => server.once("exit", resolve));
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}

async function waitReady(base: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the server did not become ready within ${timeoutMs / 1000} s`);
}

/** Polls the stream's drift events (up to 60 s) for the first one at or after `fromSeq`. */
async function waitForEvent(
  api: (method: string, path: string) => Promise<Record<string, unknown>>,
  fromSeq: number,
): Promise<number | null> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const events = (await api("GET", "/v1/streams/demo/events?limit=100")).items as Array<{ seq: number }>;
    const after = events.map((e) => e.seq).filter((seq) => seq >= fromSeq);
    if (after.length > 0) return Math.min(...after);
    await new Promise((r) => setTimeout(r, 500));
  }
  return null;
}
