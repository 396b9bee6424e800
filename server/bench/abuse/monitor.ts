/**
 * @module
 * What the abuse benchmark watches while an attack runs: the server's resident memory (from
 * /proc, every 100 ms) and `/healthz` latency, probed every 50 ms from another loopback address
 * (127.0.0.2) than the attackers', as a load balancer's probe would come from elsewhere. The
 * watcher runs in a process of its own (`watch()` spawns this file), so the attacker's own busy
 * event loop does not count as the server's latency.
 *
 *   tsx monitor.ts <pid> <url>   — watches until stdin closes, then prints one JSON line
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:http";

export interface Watch {
  /** Highest resident set size seen, MB. */
  rssMaxMb: number;
  probes: number;
  /** Probes that failed or took over 2 s. */
  probeFailures: number;
  healthzP50Ms: number;
  healthzP99Ms: number;
  healthzMaxMs: number;
}

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

function probe(url: string): Promise<number | null> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(
      `${url}/healthz`,
      { localAddress: "127.0.0.2", timeout: 2000, agent: false },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode === 200 ? performance.now() - started : null));
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(null));
    req.end();
  });
}

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);

/** Watches `pid` and `url` from a child process until `stop()`; returns what it saw. */
export function watch(pid: number, url: string): { stop(): Promise<Watch> } {
  const child = spawn(process.execPath, ["--import", "tsx", import.meta.filename, String(pid), url], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk) => {
    out += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    async stop() {
      child.stdin.end();
      await exited;
      return JSON.parse(out) as Watch;
    },
  };
}

function watchHere(pid: number, url: string): { stop(): Promise<Watch> } {
  let rssMax = rssMb(pid);
  const memory = setInterval(() => {
    rssMax = Math.max(rssMax, rssMb(pid));
  }, 100);
  const latencies: number[] = [];
  let failures = 0;
  let running = true;
  const prober = (async () => {
    while (running) {
      const ms = await probe(url);
      if (ms === null) failures++;
      else latencies.push(ms);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await prober;
      clearInterval(memory);
      const sorted = [...latencies].sort((a, b) => a - b);
      return {
        rssMaxMb: Math.round(rssMax),
        probes: latencies.length + failures,
        probeFailures: failures,
        healthzP50Ms: Math.round(quantile(sorted, 0.5) * 10) / 10,
        healthzP99Ms: Math.round(quantile(sorted, 0.99) * 10) / 10,
        healthzMaxMs: Math.round((sorted.at(-1) ?? Number.NaN) * 10) / 10,
      };
    },
  };
}

if (process.argv[1] === import.meta.filename) {
  const watching = watchHere(Number(process.argv[2]), String(process.argv[3]));
  process.stdin.resume();
  process.stdin.once("end", async () => {
    process.stdout.write(`${JSON.stringify(await watching.stop())}\n`);
    process.exit(0);
  });
}
