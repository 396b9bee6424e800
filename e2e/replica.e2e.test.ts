/**
 * The replica journey: `facedrift serve --replica` on an embedded database, images uploaded to
 * `POST /v1/streams/{stream}/images` and embedded in headless Chromium on the web app's
 * `/replica` page, which runs the capture worker.
 *
 * 1. Parity: the browser capture station films `camera.y4m` and stores its embeddings; the same
 *    clip's frames, converted to PNG here (`support/y4m.ts`), go through the replica. Every
 *    browser embedding must have a replica embedding at cosine ≥ 0.999.
 * 2. Takeover: the server (and its replica) is killed with SIGKILL mid-job; a new process on the
 *    same data directory claims the job once its lease runs out and finishes it: each file
 *    embedded once, the per-file reasons for the image without a face and the one with two, and
 *    the uploaded images deleted afterwards (retention 0).
 * 3. Verification as a server job: `POST /v1/verification-jobs` on a labelled set of LFW pairs is
 *    embedded by the replica's page and stored with its AUC.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImageJobView } from "../server/src/images/view.ts";
import { hasChromium, launchChromium } from "./support/chromium.ts";
import { freePort } from "./support/ports.ts";
import { type ServeProcess, serveProcess } from "./support/serve-process.ts";
import { ensureWebBuild } from "./support/web-build.ts";
import { i420ToRgba, readY4m } from "./support/y4m.ts";

const root = join(import.meta.dirname, "..");
const FACES = join(root, "..", "shared", "data", "faces");
const CAMERA = join(FACES, "camera.y4m");
const ADMIN_KEY = "fd_e2e_replica_admin_key_4b8e1d7a93c6f2";
const LEASE_MS = 4_000;

/** What `GET /v1/image-jobs/{id}` answers: the server's own view type. */
type ImageJob = ImageJobView;

interface StoredEmbedding {
  id: string;
  source: string;
  metadata: Record<string, unknown> | null;
  embedding: number[];
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, ms = 120_000) {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * (b[i] as number), 0);

describe.skipIf(!hasChromium())("replica (headless Chromium, image uploads, takeover after SIGKILL)", () => {
  let dataDir: string;
  let server: ServeProcess;

  const upload = async (stream: string, files: Array<[string, Buffer]>, faces = "largest") => {
    const form = new FormData();
    form.append("faces", faces);
    for (const [name, bytes] of files) form.append("files", new Blob([new Uint8Array(bytes)]), name);
    const response = await fetch(`${server.url}/v1/streams/${stream}/images`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      body: form,
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { job: { url: string } }).job.url;
  };
  const job = async (url: string) => (await (await server.api(url)).json()) as ImageJob;
  const stored = async (stream: string) =>
    (
      (await (await server.api(`/v1/streams/${stream}/embeddings?limit=1000`)).json()) as {
        items: StoredEmbedding[];
      }
    ).items;

  beforeAll(async () => {
    ensureWebBuild();
    dataDir = mkdtempSync(join(tmpdir(), "facedrift-e2e-replica-"));
    // A short lease, so the takeover below does not wait a minute.
    process.env.FACEDRIFT_REPLICA_LEASE_MS = String(LEASE_MS);
    process.env.FACEDRIFT_REPLICA_WEBGPU = "off";
    // The labelled set: every 100th LFW test pair (5 genuine, 5 impostor, 20 photos).
    const lines = readFileSync(join(FACES, "pairs.tsv"), "utf8").trim().split("\n");
    const pairsFile = join(dataDir, "pairs.tsv");
    writeFileSync(pairsFile, [lines[0], ...lines.slice(1).filter((_, i) => i % 100 === 0)].join("\n"));
    process.env.FACEDRIFT_VERIFICATION_PAIRS = pairsFile;
    process.env.FACEDRIFT_VERIFICATION_IMAGES = join(FACES, "images");
    server = serveProcess({
      port: await freePort(),
      adminKey: ADMIN_KEY,
      dataDir,
      args: ["--replica", "--no-streaming", "--no-scheduler"],
    });
    await server.start();
  }, 300_000);

  afterAll(async () => {
    delete process.env.FACEDRIFT_VERIFICATION_PAIRS;
    delete process.env.FACEDRIFT_VERIFICATION_IMAGES;
    await server?.kill("SIGTERM");
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it("embeds the fake camera's frames as the browser capture does (cosine ≥ 0.999)", async () => {
    let browser: Browser | undefined;
    try {
      browser = await launchChromium({ fakeCamera: CAMERA });
      const page = await browser.newPage();
      await page.goto(`${server.url}/capture#key=${ADMIN_KEY}&stream=parity-browser&rate=4`);
      await page.getByRole("button", { name: /I agree/ }).click();
      await until(
        async () => Number.parseInt((await page.getByTestId("sent").textContent()) ?? "0", 10),
        (sent) => sent >= 8,
        "8 faces sent by the capture station",
      );
    } finally {
      await browser?.close();
    }

    // Every other frame: the clip shows each of its 10 stills for two frames.
    const clip = readY4m(CAMERA);
    const frames: Array<[string, Buffer]> = [];
    for (let i = 0; i < clip.frames.length; i += 2) {
      const rgba = i420ToRgba(clip.frames[i] as Uint8Array, clip.width, clip.height);
      const png = await sharp(rgba, { raw: { width: clip.width, height: clip.height, channels: 4 } })
        .png()
        .toBuffer();
      frames.push([`frame-${i}.png`, png]);
    }
    const url = await upload("parity-replica", frames);
    const done = await until(
      () => job(url),
      (j) => j.status === "succeeded" || j.status === "failed",
      "the parity job",
    );
    expect(done.progress).toMatchObject({ total: frames.length, embedded: frames.length });

    const fromBrowser = await stored("parity-browser");
    const fromReplica = await stored("parity-replica");
    expect(fromBrowser.length).toBeGreaterThanOrEqual(8);
    expect(fromReplica).toHaveLength(frames.length);
    for (const row of fromReplica) {
      expect(row.source).toBe("replica");
      expect(row.metadata).toMatchObject({
        quality: { faceSize: expect.any(Number) },
        image: { sha256: expect.any(String) },
      });
    }
    const nearest = fromBrowser.map((b) =>
      Math.max(...fromReplica.map((r) => cosine(b.embedding, r.embedding))),
    );
    console.log(`browser → nearest replica cosine: min ${Math.min(...nearest).toFixed(6)}`);
    for (const similarity of nearest) expect(similarity).toBeGreaterThanOrEqual(0.999);
  }, 300_000);

  it("finishes a job whose replica was killed mid-job, each file once, with reasons", async () => {
    // The first 17 people but one, whose photo shows a second face in the background.
    const people = readdirSync(join(FACES, "images"))
      .slice(0, 17)
      .filter((person) => person !== "Abid_Hamid_Mahmud_Al-Tikriti");
    const singles: Array<[string, Buffer]> = people.map((person) => {
      const file = readdirSync(join(FACES, "images", person))[0] as string;
      return [file, readFileSync(join(FACES, "images", person, file))];
    });
    const gray = await sharp({ create: { width: 200, height: 200, channels: 3, background: "#808080" } })
      .png()
      .toBuffer();
    const [left, right] = [singles[0]?.[1], singles[1]?.[1]] as [Buffer, Buffer];
    const pair = await sharp({ create: { width: 500, height: 250, channels: 3, background: "#000000" } })
      .composite([
        { input: left, left: 0, top: 0 },
        { input: right, left: 250, top: 0 },
      ])
      .jpeg()
      .toBuffer();
    const url = await upload(
      "takeover",
      [...singles, ["gray.png", gray], ["two-people.jpg", pair]],
      "single",
    );

    const before = await until(
      () => job(url),
      (j) => (j.progress.done ?? 0) >= 2,
      "two files done",
    );
    await server.kill("SIGKILL");
    expect(before.progress.done).toBeLessThan(before.progress.total ?? 0);

    await server.start();
    const done = await until(
      () => job(url),
      (j) => j.status === "succeeded" || j.status === "failed",
      "the job after the takeover",
    );
    expect(done.status).toBe("succeeded");
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    const byName = new Map(done.files.map((file) => [file.filename, file]));
    expect(byName.get("gray.png")).toMatchObject({ status: "no_face", reason: "no face found", faces: 0 });
    expect(byName.get("two-people.jpg")).toMatchObject({ status: "several_faces", faces: 2 });
    expect(byName.get("two-people.jpg")?.reason).toMatch(/2 faces found/);
    for (const [name] of singles) expect(byName.get(name)).toMatchObject({ status: "embedded", faces: 1 });

    const rows = await stored("takeover");
    const ids = rows.map((row) => row.id).sort();
    expect(ids).toEqual(done.files.flatMap((file) => (file.embeddingId ? [file.embeddingId] : [])).sort());
    expect(new Set(ids).size).toBe(singles.length);

    // Retention 0: the images went once the job was done.
    await until(
      () => job(url),
      (j) => j.imagesDeletedAt !== null,
      "the images deleted",
    );
    const left_ = readdirSync(join(dataDir, "images"), { recursive: true, withFileTypes: true }).filter((e) =>
      e.isFile(),
    );
    expect(left_).toEqual([]);
  }, 300_000);

  it("runs a verification job through the page and stores its AUC", async () => {
    const queued = await server.api("/v1/verification-jobs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(queued.status).toBe(202);
    const { id } = (await queued.json()) as { id: number };
    const read = async () =>
      (await (await server.api(`/v1/verification-jobs/${id}`)).json()) as {
        status: string;
        progress: { done: number; total: number } | null;
        run: { id: number; auc: number; pairs: number } | null;
      };
    const done = await until(
      read,
      (j) => j.status === "succeeded" || j.status === "failed",
      "the verification job",
    );
    expect(done).toMatchObject({ status: "succeeded", progress: { done: 20, total: 20 } });
    expect(done.run?.pairs).toBe(10);
    expect(done.run?.auc).toBeGreaterThanOrEqual(0.98);
    const runs = (await (await server.api("/v1/verification-runs")).json()) as {
      items: Array<{ id: number; details: { facePolicy: string; runsOn: Record<string, string> } }>;
    };
    const run = runs.items.find((r) => r.id === done.run?.id);
    expect(run?.details.facePolicy).toBe("central");
    expect(Object.values(run?.details.runsOn ?? {}).join()).toMatch(/^browser page: /);
  }, 300_000);
});
