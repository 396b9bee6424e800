/**
 * `runVerification`, `facedrift verify` and `facedrift extract` on real LFW photos through the
 * default face pipeline (Node, WASM). One file, so the models load once (`pipeline.ts` caches the
 * stages per process): 20 pairs and a handful of images keep it well under a minute.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { CATALOG, DEFAULT_MODELS, type Pair, parsePairs } from "@facedrift/models";
import { Command } from "commander";
import { desc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { IncidentNotification } from "../alerts/types.ts";
import { registerExtract } from "../cli/commands/extract.ts";
import { registerVerify } from "../cli/commands/verify.ts";
import type { Database } from "../db/database.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { openPglite } from "../db/pglite.ts";
import { alerts } from "../db/schema/alert.ts";
import { streams } from "../db/schema/stream.ts";
import { verificationRuns } from "../db/schema/verification-run.ts";
import { ensureTenant } from "../services/tenants/default.ts";
import { loadFaceStages } from "./pipeline.ts";
import { runVerification } from "./run.ts";

const FACES = resolve(import.meta.dirname, "../../../../shared/data/faces");
const IMAGES = join(FACES, "images");
const EMBEDDER = CATALOG[DEFAULT_MODELS.embedder];
const GUL_13 = "Abdullah_Gul/Abdullah_Gul_0013.jpg";
const GUL_14 = "Abdullah_Gul/Abdullah_Gul_0014.jpg";
const GUIEL = "Aaron_Guiel/Aaron_Guiel_0001.jpg";
const BROKEN = "Broken/Broken_0001.jpg";

const tsv = (pairs: readonly Pair[]) =>
  ["left\tright\tsame", ...pairs.map((p) => `${p.left}\t${p.right}\t${p.same ? 1 : 0}`)].join("\n");

describe("verification through the real face pipeline", () => {
  const dir = mkdtempSync(join(tmpdir(), "facedrift-verify-"));
  // Every 50th of LFW's 1,000 View 1 test pairs: the first 500 are genuine, so 10 of each class.
  const lfwPairs = join(dir, "lfw20.tsv");
  // A small folder: three real photos, one file that is not a JPEG, and a pair naming a missing one.
  const smallImages = join(dir, "images");
  const smallPairs = join(dir, "small.tsv");
  let database: Database;
  let tenantId: number;

  beforeAll(async () => {
    const all = parsePairs(readFileSync(join(FACES, "pairs.tsv"), "utf8"));
    writeFileSync(lfwPairs, tsv(all.filter((_, i) => i % 50 === 0)));
    for (const name of [GUL_13, GUL_14, GUIEL]) {
      mkdirSync(join(smallImages, name, ".."), { recursive: true });
      copyFileSync(join(IMAGES, name), join(smallImages, name));
    }
    mkdirSync(join(smallImages, "Broken"));
    writeFileSync(join(smallImages, BROKEN), "not a JPEG");
    writeFileSync(
      smallPairs,
      tsv([
        { left: GUL_13, right: GUL_14, same: true },
        { left: GUL_13, right: GUIEL, same: false },
        { left: GUL_14, right: GUIEL, same: false },
        { left: GUL_13, right: BROKEN, same: true },
        { left: "Nobody/Nobody_0001.jpg", right: GUIEL, same: false },
      ]),
    );
    database = await openPglite();
    await migrateDatabase(database);
    tenantId = await ensureTenant(database.db, "acme");
    await database.db
      .insert(streams)
      .values({ tenantId, name: "cam", modelId: EMBEDDER?.id ?? "", modelVersion: "1", dimension: 128 });
    await loadFaceStages();
  }, 120_000);
  afterAll(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("scores 20 LFW pairs, each image embedded once, and stores the run", async () => {
    const progress: number[] = [];
    const summary = await runVerification(database, {
      pairsFile: lfwPairs,
      imagesDir: IMAGES,
      tenantId,
      stream: "cam",
      onProgress: (p) => progress.push(p.done),
    });
    expect(summary.model).toEqual({ id: EMBEDDER?.id, version: EMBEDDER?.version, dimension: 128 });
    // Every LFW photo gives a face under the central policy (models/results/lfw-view1.md).
    expect(summary.pairs).toEqual({
      total: 20,
      scored: 20,
      genuine: 10,
      impostor: 10,
      skipped: 0,
      failed: 0,
    });
    expect(summary).toMatchObject({ failures: "count", failureToExtractRate: 0 });
    expect(summary.images.total).toBe(40);
    expect(progress).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // The default embedder measured AUC 0.998 on all 1,000 pairs; 20 of them must not look random.
    expect(summary.auc).toBeGreaterThan(0.9);
    expect(summary.eer).toBeGreaterThanOrEqual(0);
    expect(summary.eer).toBeLessThan(0.2);
    expect(Object.keys(summary.tarAtFar).sort()).toEqual(["0.001", "0.01"]);
    expect(summary.timingMs.embed).toBeGreaterThan(0);

    const [row] = await database.db
      .select()
      .from(verificationRuns)
      .where(eq(verificationRuns.id, summary.runId ?? 0));
    expect(row).toMatchObject({
      tenantId,
      modelId: EMBEDDER?.id,
      modelVersion: EMBEDDER?.version,
      pairs: 20,
      skipped: [],
      auc: summary.auc,
      eer: summary.eer,
      tarAtFar: summary.tarAtFar,
      details: { pairsTotal: 20, genuine: 10, impostor: 10, minAuc: 0.98, facePolicy: "central" },
    });
    const raised = await database.db.select().from(alerts).where(eq(alerts.detector, "verification"));
    expect(raised).toHaveLength(summary.belowMinAuc ? 1 : 0);
  }, 120_000);

  it("with failures: skip, leaves out pairs it cannot score, with reasons; below the minimum AUC a critical alert is stored and dispatched", async () => {
    const dispatched: IncidentNotification[] = [];
    // The first run may have opened an incident already (if its AUC fell below 0.98): close it, so
    // this run's finding opens one of its own and notifies.
    await database.db.execute(sql`UPDATE incidents SET status = 'resolved', resolved_at = now()`);
    const summary = await runVerification(database, {
      pairsFile: smallPairs,
      imagesDir: smallImages,
      tenantId,
      stream: "cam",
      minAuc: 1.01,
      failures: "skip",
      dispatch: (notification) => {
        dispatched.push(notification);
        return undefined;
      },
    });
    expect(summary.pairs).toEqual({ total: 5, scored: 3, genuine: 1, impostor: 2, skipped: 2, failed: 0 });
    expect(summary.skipped).toEqual([
      { left: GUL_13, right: BROKEN, reason: "right: unreadable image" },
      { left: "Nobody/Nobody_0001.jpg", right: GUIEL, reason: "left: missing image" },
    ]);
    expect(summary.images).toMatchObject({
      total: 5,
      embedded: 3,
      failed: { "unreadable image": 1, "missing image": 1 },
    });
    expect(summary.auc).toBe(1);
    expect(summary.belowMinAuc).toBe(true);

    const [alert] = await database.db
      .select()
      .from(alerts)
      .where(eq(alerts.detector, "verification"))
      .orderBy(desc(alerts.id))
      .limit(1);
    expect(alert).toMatchObject({
      tenantId,
      severity: "critical",
      payload: { verificationRunId: summary.runId, auc: 1, minAuc: 1.01, notified: "opened" },
    });
    expect(summary.alert).toEqual({ id: alert?.id, sent: true });
    expect(dispatched).toHaveLength(1);
    expect(dispatched[0]).toMatchObject({
      transition: "opened",
      incident: { stream: "cam", severity: "critical", detectors: ["verification"] },
      finding: { id: alert?.id, stream: "cam", detector: "verification" },
    });
    expect(dispatched[0]?.finding?.title).toContain("AUC 1.0000 < 1.01");
  }, 60_000);

  it("facedrift verify prints the summary, counting pairs whose image gave no face as failed comparisons; without --store nothing is written", async () => {
    const { stdout, stderr } = await runInProcess(registerVerify, [
      "verify",
      "--pairs",
      smallPairs,
      "--images",
      smallImages,
      "--min-auc",
      "1.01",
    ]);
    const printed = JSON.parse(stdout);
    expect(printed).toMatchObject({
      run_id: null,
      model: { id: EMBEDDER?.id, dimension: 128 },
      min_auc: 1.01,
      below_min_auc: true,
      alert: { id: null, sent: false },
      pairs: { total: 5, scored: 5, skipped: 0, failed: 2 },
      failures: "count",
      // 2 of the 5 images gave no face (one unreadable, one missing).
      failure_to_extract_rate: 0.4,
      timing_ms: { load: expect.any(Number), embed: expect.any(Number) },
    });
    expect(stderr).toContain("verify: 5/5 images");
  }, 60_000);

  it("facedrift extract writes one NDJSON line per face, unit-norm, and one error line per unreadable image", async () => {
    const out = join(dir, "faces.ndjson");
    const { stdout } = await runInProcess(registerExtract, [
      "extract",
      "--images",
      smallImages,
      "--out",
      out,
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ images: 4, faces: 3, errors: 1 });
    const lines = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.path)).toEqual([GUIEL, GUL_13, GUL_14, BROKEN]);
    for (const line of lines.slice(0, 3)) {
      expect(line).toMatchObject({
        face: 0,
        model: { id: EMBEDDER?.id, version: EMBEDDER?.version },
        quality: { faceSize: expect.any(Number), blur: expect.any(Number), brightness: expect.any(Number) },
        box: { x: expect.any(Number), width: expect.any(Number) },
      });
      const bytes = Buffer.from(line.embedding_b64, "base64");
      const embedding = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
      expect(embedding).toHaveLength(128);
      expect(Math.hypot(...embedding)).toBeCloseTo(1, 5);
    }
    expect(lines[3]).toMatchObject({ path: BROKEN, error: "unreadable image" });
  }, 60_000);

  it("the real binary refuses bad arguments with status 2 and one line, before loading any model", async () => {
    const bin = join(import.meta.dirname, "../../bin/facedrift.mjs");
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [bin, ...args]).then(
        () => ({ code: 0, stderr: "" }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
    const [limit, pairs, images] = await Promise.all([
      run("verify", "--pairs", smallPairs, "--images", smallImages, "--limit", "1"),
      run("verify", "--pairs", join(dir, "missing.tsv"), "--images", smallImages),
      run("extract", "--images", join(dir, "nowhere"), "--out", join(dir, "x.ndjson")),
    ]);
    expect(limit).toEqual({
      code: 2,
      stderr: "facedrift verify: --limit must be at least 2 (one pair of each class)\n",
    });
    expect(pairs).toEqual({
      code: 2,
      stderr: `facedrift verify: pairs: ${join(dir, "missing.tsv")}: no such file\n`,
    });
    expect(images).toEqual({
      code: 2,
      stderr: `facedrift extract: --images ${join(dir, "nowhere")} is not a directory\n`,
    });
  }, 60_000);
});

/** Runs one registered command in this process (the loaded models are reused), capturing its output. */
async function runInProcess(register: (program: Command) => void, args: string[]) {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const program = new Command("facedrift").exitOverride();
    register(program);
    await program.parseAsync(args, { from: "user" });
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { stdout, stderr };
}
