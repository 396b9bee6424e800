/**
 * Fault: a second process on the embedded database. As a new user found: while `facedrift serve`
 * ran on a data folder, `facedrift users create` and `facedrift reference fit` with the same
 * `--data-dir` reported success, the server never saw the changes (login 401 until a restart), and
 * the folder ended corrupt. Now the CLI is refused at once with one line naming the folder and the
 * server (pid, command) and saying how to do it through the server; done that way, the server sees
 * it at once, and after a restart everything is there and the folder is sound. A SIGKILLed
 * server's lock does not keep the folder from the next process.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../support/ports.ts";
import { type ServeProcess, serveProcess } from "../support/serve-process.ts";

const BIN = join(import.meta.dirname, "..", "..", "server", "bin", "facedrift.mjs");
const ADMIN = "fd_second_process_admin_key_0123";
const DIM = 8;

/** Runs the CLI to completion; stdin is written then closed (the password for `users create`). */
function cli(args: string[], stdin = ""): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, DATABASE_URL: "", FACEDRIFT_API_KEY: "" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdin.end(stdin);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

function items(n: number, from: number) {
  return Array.from({ length: n }, (_, i) => {
    const v = Float32Array.from({ length: DIM }, (_, k) => Math.sin((from + i) * 0.37 + k * 1.3));
    return {
      id: `e${from + i}`,
      ts: 1_790_000_000_000 + from + i,
      embedding_b64: Buffer.from(v.buffer).toString("base64"),
    };
  });
}

describe("a second process on the embedded database", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "facedrift-second-process-"));
  let server: ServeProcess;

  afterAll(async () => {
    await server?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("is refused with one line naming the folder, the server and the way through it; nothing is lost or corrupted", async () => {
    server = serveProcess({ port: await freePort(), dataDir, adminKey: ADMIN, args: ["--no-scheduler"] });
    await server.start();
    const ingest = await server.api("/v1/streams/cam/embeddings", {
      method: "POST",
      body: JSON.stringify({ model: { id: "m", version: "1" }, items: items(600, 0) }),
    });
    expect(ingest.status).toBe(200);
    const holder = JSON.parse(readFileSync(join(dataDir, "facedrift.lock"), "utf8"));
    expect(holder).toMatchObject({ pid: server.pid(), url: server.url });

    // The two commands the new user ran, and one that only reads: each refused at once.
    const refusals = await Promise.all([
      cli(
        ["users", "create", "--data-dir", dataDir, "--email", "ops@example.org"],
        "a long enough password\n",
      ),
      cli(["reference", "fit", "--data-dir", dataDir, "--stream", "cam", "--last", "600"]),
      cli(["reference", "list", "--data-dir", dataDir, "--stream", "cam"]),
    ]);
    for (const refused of refusals) {
      expect(refused.code).toBe(1);
      const lines = refused.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`${dataDir} is in use by pid ${server.pid()}`);
      expect(lines[0]).toMatch(/\(facedrift serve --port \d+ --host 127\.0\.0\.1 --data-dir /);
      expect(refused.stdout).toBe("");
    }
    expect(refusals[0]?.stderr).toContain(`facedrift users create --server ${server.url}`);
    expect(refusals[1]?.stderr).toContain(`facedrift reference fit --server ${server.url}`);
    expect(refusals[2]?.stderr).toContain(`GET ${server.url}/v1/streams/<stream>/references`);

    // The way it names works, and the server sees the change at once.
    const viaServer = ["--server", server.url, "--api-key", ADMIN];
    const created = await cli(
      ["users", "create", ...viaServer, "--email", "ops@example.org"],
      "a long enough password\n",
    );
    expect(created).toMatchObject({ code: 0, stderr: "" });
    const fitted = await cli([
      "reference",
      "fit",
      ...viaServer,
      "--stream",
      "cam",
      "--last",
      "600",
      "--seed",
      "3",
    ]);
    expect(fitted.code).toBe(0);
    expect(JSON.parse(fitted.stdout)).toMatchObject({ version: 1 });
    const login = () =>
      fetch(`${server.url}/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "ops@example.org", password: "a long enough password" }),
      });
    expect((await login()).status).toBe(200);

    // A restart keeps everything, and the folder answers every query.
    await server.kill("SIGTERM");
    expect(existsSync(join(dataDir, "facedrift.lock"))).toBe(false);
    await server.start();
    expect((await login()).status).toBe(200);
    const summaries = await server.api("/v1/stream-summaries");
    expect(summaries.status).toBe(200);
    const summary = (await summaries.json()) as {
      streams: { name: string; embeddingCount: number; reference: unknown }[];
    };
    expect(summary.streams[0]).toMatchObject({
      name: "cam",
      embeddingCount: 600,
      reference: expect.anything(),
    });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    // A SIGKILLed server leaves its lock behind; its pid is gone, so the next process takes over.
    await server.kill("SIGKILL");
    expect(existsSync(join(dataDir, "facedrift.lock"))).toBe(true);
    const listed = await cli(["reference", "list", "--data-dir", dataDir, "--stream", "cam"]);
    expect(listed).toMatchObject({ code: 0, stderr: "" });
    expect(listed.stdout).toMatch(/^\*v1\t/);
  }, 300_000);
});
