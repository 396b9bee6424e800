/**
 * Fault: a `facedrift replica` is SIGKILLed mid-job on the real PostgreSQL with pgvector. The
 * production layout: `facedrift serve` (no replica of its own) and two `facedrift replica`
 * processes on one fresh database, sharing an image directory. An image upload is claimed by one
 * replica (`FOR UPDATE SKIP LOCKED`); once it has embedded a few files it is killed with SIGKILL,
 * and the other replica claims the job when the dead one's lease runs out and finishes it. Every
 * image is embedded once (one row, one ledger id, the file's recorded embedding id), the files
 * without exactly one face keep their reasons, and the job's images are deleted afterwards.
 *
 * The same takeover on the embedded database (`facedrift serve --replica`, one process) is in
 * `e2e/replica.e2e.test.ts`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import {
  createPostgresTestDatabase,
  type PostgresTestDatabase,
  postgresAvailable,
} from "../../server/src/db/testing/postgres-database.ts";
import type { ImageJobView } from "../../server/src/images/view.ts";
import { hasChromium } from "../support/chromium.ts";
import { freePort } from "../support/ports.ts";
import { type ServeProcess, serveProcess } from "../support/serve-process.ts";
import { ensureWebBuild } from "../support/web-build.ts";

const root = join(import.meta.dirname, "..", "..");
const BIN = join(root, "server", "bin", "facedrift.mjs");
const FACES = join(root, "..", "shared", "data", "faces");
const ADMIN_KEY = "fd_fault_replica_admin_key_8d2f6b1e4a97c3";
const STREAM = "replica-kill";
/** Short, so the takeover does not wait a minute; renewed before every file. */
const LEASE_MS = 4_000;

/** What `GET /v1/image-jobs/{id}` answers: the server's own view type. */
type ImageJob = ImageJobView;

interface Replica {
  readonly name: string;
  readonly child: ChildProcess;
  output(): string;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, ms = 180_000) {
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

describe.skipIf(!postgresAvailable || !hasChromium())(
  "a replica SIGKILLed mid-job on the real PostgreSQL",
  () => {
    let database: PostgresTestDatabase;
    let imageDir: string;
    let server: ServeProcess;
    const replicas: Replica[] = [];

    const startReplica = (name: string): Replica => {
      const child = spawn(
        process.execPath,
        [BIN, "replica", "--database-url", database.url, "--lease-ms", String(LEASE_MS), "--poll-ms", "200"],
        {
          env: {
            ...process.env,
            DATABASE_URL: "",
            FACEDRIFT_IMAGE_DIR: imageDir,
            FACEDRIFT_REPLICA_WEBGPU: "off",
          },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let output = "";
      child.stdout?.on("data", (chunk) => (output += chunk));
      child.stderr?.on("data", (chunk) => (output += chunk));
      const replica = { name, child, output: () => output };
      replicas.push(replica);
      return replica;
    };

    beforeAll(async () => {
      ensureWebBuild();
      database = await createPostgresTestDatabase("fault_replica");
      imageDir = mkdtempSync(join(tmpdir(), "facedrift-fault-replica-"));
      // Images are deleted as soon as their job is done (retention 0, the default).
      process.env.FACEDRIFT_IMAGE_DIR = imageDir;
      server = serveProcess({
        port: await freePort(),
        adminKey: ADMIN_KEY,
        databaseUrl: database.url,
        args: ["--no-replica", "--no-streaming", "--no-scheduler"],
      });
      await server.start();
      delete process.env.FACEDRIFT_IMAGE_DIR;
    }, 300_000);

    afterAll(async () => {
      for (const replica of replicas) {
        if (replica.child.exitCode === null && replica.child.signalCode === null) {
          const exited = once(replica.child, "exit");
          replica.child.kill("SIGKILL");
          await exited;
        }
      }
      await server?.kill("SIGTERM");
      await database?.drop();
      if (imageDir) rmSync(imageDir, { recursive: true, force: true });
    }, 60_000);

    it("lets the other replica take the job over, each image stored once", async () => {
      onTestFailed(() => {
        for (const replica of replicas) console.error(`${replica.name}:\n${replica.output().slice(-3000)}`);
        console.error(`server:\n${server.output().slice(-3000)}`);
      });
      const sql = postgres(database.url, { max: 1, onnotice: () => {} });
      try {
        // Both replicas up and polling before there is work, so either may claim it.
        const [first, second] = [startReplica("replica A"), startReplica("replica B")];
        await until(
          async () => [first, second].every((r) => r.output().includes("replica started")),
          Boolean,
          "both replicas to start",
        );

        // 16 single-face LFW photos, one without a face and one with two.
        const people = readdirSync(join(FACES, "images"))
          .slice(0, 17)
          .filter((person) => person !== "Abid_Hamid_Mahmud_Al-Tikriti");
        const singles: Array<[string, Buffer]> = people.map((person) => {
          const file = readdirSync(join(FACES, "images", person))[0] as string;
          return [file, readFileSync(join(FACES, "images", person, file))];
        });
        const gray = await sharp({
          create: { width: 200, height: 200, channels: 3, background: "#808080" },
        })
          .png()
          .toBuffer();
        const pair = await sharp({ create: { width: 500, height: 250, channels: 3, background: "#000000" } })
          .composite([
            { input: singles[0]?.[1] as Buffer, left: 0, top: 0 },
            { input: singles[1]?.[1] as Buffer, left: 250, top: 0 },
          ])
          .jpeg()
          .toBuffer();
        const form = new FormData();
        form.append("faces", "single");
        for (const [name, bytes] of [
          ...singles,
          ["gray.png", gray] as const,
          ["two-people.jpg", pair] as const,
        ])
          form.append("files", new Blob([new Uint8Array(bytes)]), name);
        const uploaded = await fetch(`${server.url}/v1/streams/${STREAM}/images`, {
          method: "POST",
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
          body: form,
        });
        expect(uploaded.status).toBe(202);
        const url = ((await uploaded.json()) as { job: { url: string } }).job.url;
        const job = async () => (await (await server.api(url)).json()) as ImageJob;

        const before = await until(
          () => job(),
          (j) => (j.progress.done ?? 0) >= 3,
          "three files done",
        );
        // The holder is whichever process's pid the job's lease names (`replica:<host>:<pid>`).
        const [lease] = await sql<{ owner: string }[]>`
          SELECT lease_owner AS owner FROM jobs WHERE kind = 'image-batch' AND status = 'running'`;
        const holder = [first, second].find((r) => lease?.owner.endsWith(`:${r.child.pid}`));
        if (!holder) throw new Error(`no replica of ours holds the job (lease ${JSON.stringify(lease)})`);
        const survivor = holder === first ? second : first;
        const killed = once(holder.child, "exit");
        holder.child.kill("SIGKILL");
        await killed;
        expect(before.progress.done).toBeLessThan(before.progress.total ?? 0);

        const done = await until(
          () => job(),
          (j) => j.status === "succeeded" || j.status === "failed",
          "the job after the takeover",
        );
        expect(done.status).toBe("succeeded");
        expect(done.attempts).toBeGreaterThanOrEqual(2);
        expect(survivor.output()).toMatch(/image batch claimed/);
        expect(survivor.child.exitCode).toBeNull();

        const byName = new Map(done.files.map((file) => [file.filename, file]));
        expect(byName.get("gray.png")).toMatchObject({
          status: "no_face",
          reason: "no face found",
          faces: 0,
        });
        expect(byName.get("two-people.jpg")).toMatchObject({ status: "several_faces", faces: 2 });
        for (const [name] of singles)
          expect(byName.get(name)).toMatchObject({ status: "embedded", faces: 1 });

        // Straight from the tables: one row and one ledger id per embedded image, and they are
        // the ids the job's files recorded.
        const recorded = done.files.flatMap((file) => (file.embeddingId ? [file.embeddingId] : [])).sort();
        expect(recorded).toHaveLength(singles.length);
        const rows = await sql<{ id: string }[]>`
          SELECT e.client_id AS id FROM embeddings e JOIN streams s ON s.id = e.stream_id
          WHERE s.name = ${STREAM} ORDER BY 1`;
        expect(rows.map((row) => row.id)).toEqual(recorded);
        const [ledger] = await sql<{ n: number }[]>`
          SELECT count(*)::int AS n FROM embedding_ids l JOIN streams s ON s.id = l.stream_id
          WHERE s.name = ${STREAM}`;
        expect(ledger?.n).toBe(singles.length);

        await until(
          () => job(),
          (j) => j.imagesDeletedAt !== null,
          "the images deleted",
        );
        const left = readdirSync(imageDir, { recursive: true, withFileTypes: true }).filter((e) =>
          e.isFile(),
        );
        expect(left).toEqual([]);
      } finally {
        await sql.end({ timeout: 1 });
      }
    }, 420_000);
  },
);
