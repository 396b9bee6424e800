/**
 * Test-only: finds `promtool` (Debian package `prometheus`), installing it with apt when the
 * tests run as root on a Debian-like machine (CI images), so the exposition and the alerting
 * rules are checked by Prometheus's own parser. Returns why not, when it cannot.
 */
import { execFileSync, spawnSync } from "node:child_process";

export type Promtool = { path: string } | { skip: string };

function which(name: string): string | undefined {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

export function findPromtool(): Promtool {
  const existing = which("promtool");
  if (existing) return { path: existing };
  if (process.getuid?.() !== 0)
    return { skip: "promtool is not installed and the tests are not root (apt-get install prometheus)" };
  if (!which("apt-get")) return { skip: "promtool is not installed and apt-get is unavailable" };
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync("apt-get", ["install", "-y", "-qq", "prometheus"], {
      env,
      stdio: "ignore",
      timeout: 240_000,
    });
  } catch {
    try {
      execFileSync("apt-get", ["update", "-qq"], { stdio: "ignore", timeout: 240_000 });
      execFileSync("apt-get", ["install", "-y", "-qq", "prometheus"], {
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
        stdio: "ignore",
        timeout: 240_000,
      });
    } catch (error) {
      return { skip: `installing prometheus with apt failed: ${String(error)}` };
    }
  }
  const installed = which("promtool");
  return installed ? { path: installed } : { skip: "apt installed prometheus but promtool is not on PATH" };
}

/** Runs promtool with `args`, feeding `input` on stdin; returns status and combined output. */
export function promtool(tool: { path: string }, args: string[], input?: string) {
  const result = spawnSync(tool.path, args, { input, encoding: "utf8", timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
