/**
 * The deploy artefacts against the real /metrics: the Prometheus rules pass promtool's checks
 * and unit tests, and every PromQL expression in the rules and in the Grafana dashboard parses
 * and names only metrics that `/metrics` really exposes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/http/app.ts";
import { createTestApp } from "../src/http/test-app.ts";
import { createMetrics } from "../src/metrics/metrics.ts";
import { findPromtool, promtool } from "../src/metrics/testing/promtool.ts";

const here = import.meta.dirname;
const rulesDir = join(here, "prometheus");
const rulesText = readFileSync(join(rulesDir, "facedrift.rules.yml"), "utf8");
const dashboard = JSON.parse(readFileSync(join(here, "grafana", "facedrift-dashboard.json"), "utf8"));
const tool = findPromtool();
const skipReason = "skip" in tool ? ` (skipped: ${tool.skip})` : "";

interface Panel {
  id: number;
  title: string;
  type: string;
  targets?: { expr: string }[];
}

/** Every PromQL expression of the dashboard, with Grafana's variables replaced by plain values. */
function dashboardExpressions(): string[] {
  const exprs: string[] = (dashboard.panels as Panel[]).flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  for (const variable of dashboard.templating.list as { type: string; query?: { query: string } }[]) {
    if (variable.type !== "query" || !variable.query) continue;
    const match = /^label_values\((.+),\s*\w+\)$/.exec(variable.query.query);
    if (!match?.[1]) throw new Error(`unexpected variable query ${variable.query.query}`);
    exprs.push(match[1]);
  }
  return exprs.map((e) => e.replaceAll("$__rate_interval", "5m").replace(/\$(tenant|stream)\b/g, ".+"));
}

const metricNames = (expr: string) => [...new Set(expr.match(/\bfacedrift_[a-z0-9_]+/g) ?? [])];

describe("deploy artefacts", () => {
  let exposed: Set<string>;

  beforeAll(async () => {
    const t = await createTestApp({ metricsToken: "t" });
    try {
      const snapshot = {
        processedTotal: 0,
        detectionsTotal: 0,
        alertsDispatchedTotal: 0,
        batchesTotal: 0,
        errorsTotal: 0,
        leaseLostTotal: 0,
        ownedStreams: 0,
        streams: [],
      };
      const metrics = createMetrics({ db: t.db, streaming: () => snapshot });
      const app = createApp({ database: t.database, config: t.config, metrics });
      const text = await (await app.request("/metrics", { headers: { authorization: "Bearer t" } })).text();
      exposed = new Set();
      for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
        exposed.add(name!);
        if (type === "histogram")
          for (const suffix of ["_bucket", "_count", "_sum"]) exposed.add(name + suffix);
      }
    } finally {
      await t.close();
    }
  }, 60_000);

  it(`rules pass promtool check rules and their unit tests${skipReason}`, () => {
    if ("skip" in tool) return;
    const check = promtool(tool, ["check", "rules", join(rulesDir, "facedrift.rules.yml")]);
    expect(check.output).toContain("SUCCESS");
    expect(check.status).toBe(0);
    const tests = promtool(tool, ["test", "rules", join(rulesDir, "facedrift.rules.test.yml")]);
    expect(tests.output).toContain("SUCCESS");
    expect(tests.status).toBe(0);
  });

  it("rules name only exposed metrics", () => {
    const used = metricNames(rulesText);
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((name) => !exposed.has(name))).toEqual([]);
  });

  it("every dashboard query names a metric, and only exposed ones", () => {
    const exprs = dashboardExpressions();
    expect(exprs.length).toBeGreaterThan(10);
    for (const expr of exprs) {
      const names = metricNames(expr);
      expect(names.length, expr).toBeGreaterThan(0);
      expect(
        names.filter((name) => !exposed.has(name)),
        expr,
      ).toEqual([]);
    }
    const panels = dashboard.panels as Panel[];
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const titles = panels.map((p) => p.title.toLowerCase()).join(" | ");
    for (const topic of ["ingest rate", "lag", "pc1", "psi", "mmd²", "detections"])
      expect(titles).toContain(topic);
    expect(panels.find((p) => p.title.startsWith("PSI"))?.type).toBe("heatmap");
  });

  it(`every dashboard query is valid PromQL (promtool)${skipReason}`, () => {
    if ("skip" in tool) return;
    const dir = mkdtempSync(join(tmpdir(), "facedrift-dashboard-"));
    try {
      const rules = dashboardExpressions()
        .map((expr, i) => `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(expr)}\n`)
        .join("");
      const file = join(dir, "dashboard.rules.yml");
      writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules}`);
      const check = promtool(tool, ["check", "rules", file]);
      expect(check.output).toContain("SUCCESS");
      expect(check.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
