/**
 * `npm run bench:abuse`: repeats the attacks of issue 14 (items 1, 2, 4 and 8) against a running
 * `facedrift serve` with the settings an operator gets by default, each on a fresh server, and
 * reports the server's peak memory and `/healthz` latency during each. Goals: RSS under 1 GB and
 * every `/healthz` answered within 100 ms.
 *
 *   npm run bench:abuse [-- --target pglite|pglite-socket] [--fit-rows 20000] [--fit-dimension 128]
 *
 * Writes bench/results/abuse-<target>.json. `pglite-socket` (default) keeps the database in a
 * process of its own, as PostgreSQL does; on `pglite` the embedded database's own work (the
 * reference's HNSW build) runs on the server's thread and shows in item 4.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startTarget, TARGETS, type TargetName } from "../load/target.ts";
import { halfOpenConnections, multipartFlood, referenceFit, unauthenticatedBodies } from "./attacks.ts";
import { type Watch, watch } from "./monitor.ts";

const { values } = parseArgs({
  options: {
    target: { type: "string", default: "pglite-socket" },
    "fit-rows": { type: "string", default: "20000" },
    "fit-dimension": { type: "string", default: "128" },
  },
});
const target = values.target as TargetName;
if (!(target in TARGETS)) throw new Error(`--target must be one of ${Object.keys(TARGETS).join(", ")}`);

interface Scenario {
  item: number;
  name: string;
  attack: unknown;
  idle: Watch;
  during: Watch;
  /** One-minute load average of the machine before and after (the harness shares it). */
  load: [number, number];
  rssUnder1GB: boolean;
  healthzWithin100ms: boolean;
}

async function scenario(
  item: number,
  name: string,
  attack: (
    url: string,
    keys: { admin: string; ingest: string },
    measure: () => { stop(): Promise<Watch> },
  ) => Promise<{ attack: unknown; during?: Watch }>,
): Promise<Scenario> {
  const loadBefore = loadavg()[0] as number;
  const running = await startTarget(target, {});
  try {
    const made = await fetch(`${running.url}/v1/api-keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${running.adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "capture device", scopes: ["ingest"] }),
    });
    const ingest = ((await made.json()) as { secret: string }).secret;
    const idleWatch = watch(running.pid, running.url);
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const idle = await idleWatch.stop();
    const measure = () => watch(running.pid, running.url);
    let during: Watch;
    let result: { attack: unknown; during?: Watch };
    const w = measure();
    try {
      result = await attack(running.url, { admin: running.adminKey, ingest }, measure);
    } finally {
      during = await w.stop();
    }
    during = result.during ?? during;
    const verdict = {
      rssUnder1GB: during.rssMaxMb < 1024,
      healthzWithin100ms: during.probeFailures === 0 && during.healthzMaxMs <= 100,
    };
    const load: [number, number] = [loadBefore, loadavg()[0] as number];
    console.log(
      `${item}. ${name}: RSS max ${during.rssMaxMb} MB (idle ${idle.rssMaxMb}), /healthz p50 ${during.healthzP50Ms} ms, ` +
        `p99 ${during.healthzP99Ms} ms, max ${during.healthzMaxMs} ms (idle max ${idle.healthzMaxMs}), ` +
        `${during.probeFailures}/${during.probes} failed, load ${load.map((l) => l.toFixed(1)).join(" → ")} — ` +
        `${JSON.stringify(result.attack)}`,
    );
    return { item, name, attack: result.attack, idle, during, load, ...verdict };
  } finally {
    await running.close();
  }
}

const scenarios: Scenario[] = [];
scenarios.push(
  await scenario(1, "120 unauthenticated clients each send 15 MiB chunked and stall", async (url) => ({
    attack: await unauthenticatedBodies(url),
  })),
);
scenarios.push(
  await scenario(2, "an ingest key posts 1,000,000 empty file parts", async (url, keys) => ({
    attack: await multipartFlood(url, keys.ingest),
  })),
);
scenarios.push(
  await scenario(4, "a default reference fit", async (url, keys, measure) => {
    // Only the fit is watched: the ingestion before it is not the attack.
    const { fit, watched } = await referenceFit(
      url,
      keys.admin,
      Number(values["fit-rows"]),
      Number(values["fit-dimension"]),
      measure,
    );
    return { attack: fit, during: watched as Watch };
  }),
);
scenarios.push(
  await scenario(8, "20,000 half-sent requests without a credential", async (url) => ({
    attack: await halfOpenConnections(url),
  })),
);

const results = {
  benchmark: "abuse",
  target,
  targetDescription: TARGETS[target],
  when: new Date().toISOString(),
  machine: { cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
  goals: { rssMb: 1024, healthzMs: 100 },
  scenarios,
};
const dir = join(import.meta.dirname, "..", "..", "..", "bench", "results");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, `abuse-${target}.json`), `${JSON.stringify(results, null, 2)}\n`);
const failed = scenarios.filter((s) => !s.rssUnder1GB || !s.healthzWithin100ms).map((s) => s.item);
console.log(failed.length === 0 ? "all goals met" : `goals missed in items ${failed.join(", ")}`);
