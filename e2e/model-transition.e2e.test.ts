/**
 * A stream's model transition end to end (issue 16): `facedrift serve --replica` on an embedded
 * database, the capture station in Chromium filming `camera.y4m`, the replica embedding uploads.
 *
 * 1. Side by side: the stream `lobby` starts on the default 128-D model; a 512-D candidate is set
 *    with a sampling share of ½. The station learns it from its ingest answers and embeds the faces
 *    the share picks with both models, and so does the replica for uploaded images — each pair
 *    under one id, the candidate's in its own track.
 * 2. Compared and promoted: each track gets a reference and a verification run on a labelled set
 *    of LFW pairs; the stream page's Models card shows them side by side; promoting from it makes
 *    the 512-D model current, the 128-D history stays readable under its track name, and the
 *    running station follows: its next faces go out with the 512-D model alone.
 * Screenshots go to e2e/artifacts/transition-*.png.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CATALOG, DEFAULT_MODELS, FACEPLUGIN_FEATURE512 } from "@facedrift/models";
import { inSamplingShare } from "@facedrift/models/sampling";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchChromium } from "./support/chromium.ts";
import { freePort } from "./support/ports.ts";
import { type ServeProcess, serveProcess } from "./support/serve-process.ts";
import { ensureWebBuild } from "./support/web-build.ts";

const root = join(import.meta.dirname, "..");
const FACES = join(root, "..", "shared", "data", "faces");
const CAMERA = join(FACES, "camera.y4m");
const ARTIFACTS = join(import.meta.dirname, "artifacts");
const ADMIN_KEY = "fd_e2e_transition_admin_key_9c4e2a7b15d3f8";
const EMAIL = "transition@facedrift.local";
const PASSWORD = "a-long-e2e-password";
const OLD = CATALOG[DEFAULT_MODELS.embedder] as NonNullable<(typeof CATALOG)[string]>;
const NEW = FACEPLUGIN_FEATURE512;
const OLD_REF = { id: OLD.id, version: OLD.version };
const NEW_REF = { id: NEW.id, version: NEW.version };
const SHARE = 0.5;
const CANDIDATE_TRACK = `lobby~${NEW.id}@${NEW.version}`;
const OLD_TRACK = `lobby~${OLD.id}@${OLD.version}`;

interface Row {
  id: string;
  source: string;
  model: { id: string; version: string };
  embedding: number[];
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, ms = 180_000) {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}; last: ${JSON.stringify(value).slice(0, 500)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await read();
  }
  return value;
}

describe.skipIf(!hasChromium())("model transition (capture station, replica, dashboard)", () => {
  let dataDir: string;
  let server: ServeProcess;
  let browser: Browser;
  let station: Page;
  const pageErrors: string[] = [];
  /** LFW photos of the labelled set, uploaded to the replica. */
  let photos: Array<[string, Buffer]> = [];

  const json = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const response = await server.api(path, init);
    const body = (await response.json()) as T;
    if (!response.ok) throw new Error(`${path} → ${response.status}: ${JSON.stringify(body)}`);
    return body;
  };
  const post = <T>(path: string, body: unknown = {}) =>
    json<T>(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const rows = async (stream: string) =>
    (await json<{ items: Row[] }>(`/v1/streams/${encodeURIComponent(stream)}/embeddings?limit=1000`)).items;
  const count = async (stream: string) =>
    (await json<{ embeddingCount: number }>(`/v1/streams/${encodeURIComponent(stream)}`)).embeddingCount;
  const text = async (page: Page, id: string) => ((await page.getByTestId(id).textContent()) ?? "").trim();

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    ensureWebBuild();
    dataDir = mkdtempSync(join(tmpdir(), "facedrift-e2e-transition-"));
    process.env.FACEDRIFT_REPLICA_WEBGPU = "off";
    // The labelled set: every 100th LFW test pair (5 genuine, 5 impostor, 20 photos).
    const lines = readFileSync(join(FACES, "pairs.tsv"), "utf8").trim().split("\n");
    const chosen = lines.slice(1).filter((_, i) => i % 100 === 0);
    const pairsFile = join(dataDir, "pairs.tsv");
    writeFileSync(pairsFile, [lines[0], ...chosen].join("\n"));
    process.env.FACEDRIFT_VERIFICATION_PAIRS = pairsFile;
    process.env.FACEDRIFT_VERIFICATION_IMAGES = join(FACES, "images");
    const paths = [...new Set(chosen.flatMap((line) => line.split("\t").slice(0, 2)))];
    photos = paths.map((path) => [path.replaceAll("/", "_"), readFileSync(join(FACES, "images", path))]);
    server = serveProcess({ port: await freePort(), adminKey: ADMIN_KEY, dataDir, args: ["--replica"] });
    await server.start();
    await post("/v1/users", { email: EMAIL, password: PASSWORD });
    browser = await launchChromium({ fakeCamera: CAMERA });
    station = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    station.on("pageerror", (error) => pageErrors.push(error.message));
    station.on("console", (message) => {
      if (message.type() === "error") console.log(`station console: ${message.text()}`);
    });
  }, 300_000);

  afterAll(async () => {
    delete process.env.FACEDRIFT_VERIFICATION_PAIRS;
    delete process.env.FACEDRIFT_VERIFICATION_IMAGES;
    await browser?.close();
    await server?.kill("SIGTERM");
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it("embeds with both models side by side, in the capture station and the replica", async () => {
    await station.goto(`${server.url}/capture#key=${ADMIN_KEY}&stream=lobby&rate=4`);
    await station.getByRole("button", { name: /I agree/ }).click();
    await until(
      async () => Number.parseInt(await text(station, "sent"), 10),
      (n) => n >= 4,
      "4 faces sent",
    );
    expect((await json<{ model: unknown }>("/v1/streams/lobby")).model).toEqual(OLD_REF);

    const set = await post<{ tracks: Array<{ name: string; role: string }> }>("/v1/streams/lobby/candidate", {
      model: NEW_REF,
      dimension: 512,
      samplingShare: SHARE,
    });
    expect(set.tracks.map((t) => `${t.name}:${t.role}`)).toEqual([
      "lobby:current",
      `${CANDIDATE_TRACK}:candidate`,
    ]);

    // The station hears of the candidate in its next ingest answer, then embeds its share again.
    await until(
      () => count(CANDIDATE_TRACK),
      (n) => n >= 4,
      "4 candidate embeddings from the station",
    ).catch(async (error: Error) => {
      await station.screenshot({ path: join(ARTIFACTS, "transition-failed-station.png") });
      const status = await station.getByTestId("status").textContent();
      throw new Error(`${error.message}; station: ${status?.replace(/\s+/g, " ")}`);
    });
    await station.getByTestId("candidate-model").waitFor();
    expect(await text(station, "candidate-model")).toBe(`${NEW.id}@${NEW.version}`);
    await station.screenshot({ path: join(ARTIFACTS, "transition-1-station-both-models.png") });

    const current = await rows("lobby");
    const candidate = await rows(CANDIDATE_TRACK);
    const currentIds = new Set(current.map((r) => r.id));
    for (const row of candidate) {
      expect(row).toMatchObject({ source: "browser", model: NEW_REF });
      expect(row.embedding).toHaveLength(512);
      expect(Math.hypot(...row.embedding)).toBeCloseTo(1, 3);
      // The same face under the same id in both tracks, picked by the shared sampling rule.
      expect(currentIds.has(row.id)).toBe(true);
      expect(inSamplingShare(row.id, SHARE)).toBe(true);
    }
    expect(current.every((r) => r.embedding.length === 128)).toBe(true);

    // The replica: every photo to the current model, the share's picks to the candidate too.
    const form = new FormData();
    for (const [name, bytes] of photos) form.append("files", new Blob([new Uint8Array(bytes)]), name);
    // Plain fetch: the helper's JSON content type would hide the multipart boundary.
    const uploaded = await fetch(`${server.url}/v1/streams/lobby/images`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      body: form,
    });
    expect(uploaded.status).toBe(202);
    const { job } = (await uploaded.json()) as { job: { url: string } };
    const done = await until(
      () => json<{ status: string; files: Array<{ status: string; embeddingId: string | null }> }>(job.url),
      (j) => j.status === "succeeded" || j.status === "failed",
      "the replica's job",
    );
    expect(done.status).toBe("succeeded");
    const embedded = done.files.flatMap((f) =>
      f.status === "embedded" && f.embeddingId ? [f.embeddingId] : [],
    );
    expect(embedded.length).toBeGreaterThanOrEqual(18);
    const fromReplica = (await rows(CANDIDATE_TRACK)).filter((r) => r.source === "replica");
    expect(fromReplica.map((r) => r.id).sort()).toEqual(
      embedded.filter((id) => inSamplingShare(id, SHARE)).sort(),
    );
    expect(fromReplica.every((r) => r.embedding.length === 512)).toBe(true);
    const replicaCurrent = (await rows("lobby")).filter((r) => r.source === "replica");
    expect(replicaCurrent.map((r) => r.id).sort()).toEqual([...embedded].sort());
  }, 600_000);

  it("compares the two models on the stream page, and promotion there switches the stream", async () => {
    for (const stream of ["lobby", CANDIDATE_TRACK]) {
      await post(`/v1/streams/${encodeURIComponent(stream)}/reference`, { last: 1000 });
      const queued = await post<{ id: number }>("/v1/verification-jobs", { stream });
      const verified = await until(
        () =>
          json<{ status: string; run: { auc: number } | null; error?: string }>(
            `/v1/verification-jobs/${queued.id}`,
          ),
        (j) => j.status === "succeeded" || j.status === "failed",
        `the verification job on ${stream}`,
      );
      expect(verified.status).toBe("succeeded");
      expect(verified.run?.auc).toBeGreaterThanOrEqual(0.9);
    }
    const comparison = await json<{
      tracks: Array<{
        role: string;
        verification: { auc: number } | null;
        summary: { state: string } | null;
      }>;
    }>("/v1/streams/lobby/models/comparison");
    expect(comparison.tracks.map((t) => t.role)).toEqual(["current", "candidate"]);
    for (const track of comparison.tracks) {
      expect(track.verification?.auc).toBeGreaterThanOrEqual(0.9);
      expect(track.summary?.state).not.toBe("unmonitored");
    }

    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    const dashboard = await context.newPage();
    dashboard.on("pageerror", (error) => pageErrors.push(error.message));
    await dashboard.goto(`${server.url}/login`);
    await dashboard.getByLabel("E-mail").fill(EMAIL);
    await dashboard.getByLabel("Password").fill(PASSWORD);
    await dashboard.getByRole("button", { name: "Log in" }).click();
    await dashboard.waitForURL((url) => url.pathname === "/streams");
    await dashboard.goto(`${server.url}/streams/lobby`);
    const card = dashboard.getByTestId("models-card");
    await card.waitFor();
    expect(await card.getByTestId("model-current").textContent()).toContain(`${OLD.id}@${OLD.version}`);
    expect(await card.getByTestId("model-candidate").textContent()).toContain(`${NEW.id}@${NEW.version}`);
    expect(await card.getByTestId("auc-current").textContent()).toMatch(/0\.9\d{3}|1\.0000/);
    expect(await card.getByTestId("auc-candidate").textContent()).toMatch(/0\.9\d{3}|1\.0000/);
    await card.scrollIntoViewIfNeeded();
    await dashboard.screenshot({
      path: join(ARTIFACTS, "transition-2-dashboard-compare.png"),
      fullPage: true,
    });

    await card.getByRole("button", { name: "Promote candidate" }).click();
    await card.getByRole("button", { name: "Confirm promotion" }).click();
    await until(
      async () =>
        (await dashboard
          .getByTestId("model-current")
          .textContent()
          .catch(() => "")) ?? "",
      (current) => current.includes(`${NEW.id}@${NEW.version}`),
      "the Models card to show the promoted model",
      60_000,
    );
    expect(await dashboard.getByTestId("model-retired").textContent()).toContain(OLD_TRACK);
    await dashboard.screenshot({
      path: join(ARTIFACTS, "transition-3-dashboard-promoted.png"),
      fullPage: true,
    });

    expect(await json<{ model: unknown; dimension: number }>("/v1/streams/lobby")).toMatchObject({
      model: NEW_REF,
      dimension: 512,
    });
    // The old model's history is readable under its track name.
    const old = await json<{ model: unknown; embeddingCount: number }>(
      `/v1/streams/${encodeURIComponent(OLD_TRACK)}`,
    );
    expect(old.model).toEqual(OLD_REF);
    expect(old.embeddingCount).toBeGreaterThanOrEqual(22);
    await dashboard.goto(`${server.url}/streams/${encodeURIComponent(OLD_TRACK)}`);
    await dashboard.getByRole("heading", { name: OLD_TRACK }).waitFor();

    // The station, still filming, follows: once an answer tells it, its faces go out as 512-D
    // embeddings to the stream (the promoted model embedded again), none to the retired model.
    await until(
      () => text(station, "models").catch(() => ""),
      (models) => models.startsWith(`${NEW.id}@${NEW.version}`),
      "the station to hear of the promotion",
    );
    // Faces it queued before it heard still go to the old model's track; let them drain.
    await until(
      () => text(station, "queued"),
      (queued) => queued.startsWith("0"),
      "the station's outbox to drain",
    );
    const oldAfter = await count(OLD_TRACK);
    const since = await count("lobby");
    await until(
      () => count("lobby"),
      (n) => n >= since + 3,
      "3 more faces once the station followed",
    );
    expect(await count(OLD_TRACK)).toBe(oldAfter);
    const latest = (await rows("lobby")).filter((r) => r.source === "browser").slice(-3);
    for (const row of latest) expect(row).toMatchObject({ model: NEW_REF, embedding: expect.any(Array) });
    await station.screenshot({ path: join(ARTIFACTS, "transition-4-station-after-promotion.png") });
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 600_000);
});
