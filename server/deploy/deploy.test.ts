/**
 * The deploy artefacts against the real /metrics: the Prometheus rules pass promtool's checks
 * and unit tests, and every PromQL expression in the rules, in the Grafana dashboard and in the
 * Prometheus Adapter rules the autoscalers use parses and names only metrics that `/metrics`
 * really exposes (the GPU rules name DCGM's, from NVIDIA's exporter).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createApp } from "../src/http/app.ts";
import { createTestApp } from "../src/http/test-app.ts";
import { createMetrics } from "../src/metrics/metrics.ts";
import { findPromtool, promtool } from "../src/metrics/testing/promtool.ts";

const here = import.meta.dirname;
const rulesDir = join(here, "prometheus");
const rulesText = readFileSync(join(rulesDir, "facedrift.rules.yml"), "utf8");
const dashboard = JSON.parse(readFileSync(join(here, "grafana", "facedrift-dashboard.json"), "utf8"));
const adapter = parse(readFileSync(join(here, "prometheus-adapter", "values.yaml"), "utf8"));
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
  let exposition: string;

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
      exposition = text;
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

  it(`the replicas' GPU rules pass promtool check rules and their unit tests${skipReason}`, () => {
    if ("skip" in tool) return;
    const check = promtool(tool, ["check", "rules", join(rulesDir, "facedrift-gpu.rules.yml")]);
    expect(check.output).toContain("SUCCESS: 4 rules found");
    expect(check.status).toBe(0);
    const tests = promtool(tool, ["test", "rules", join(rulesDir, "facedrift-gpu.rules.test.yml")]);
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

  describe("Prometheus Adapter rules (the HPAs' metrics)", () => {
    interface AdapterRule {
      seriesQuery: string;
      name: { matches: string; as: string };
      metricsQuery: string;
      resources: { overrides: Record<string, { resource: string }> };
    }
    const rules: { kind: "custom" | "external"; rule: AdapterRule }[] = [
      ...(adapter.rules.custom as AdapterRule[]).map((rule) => ({ kind: "custom" as const, rule })),
      ...(adapter.rules.external as AdapterRule[]).map((rule) => ({ kind: "external" as const, rule })),
    ];
    /** The query the adapter sends for one HPA, its templates filled as it fills them. */
    const rendered = ({ kind, rule }: (typeof rules)[number]) => {
      const series = /^(\w+)\{/.exec(rule.seriesQuery)?.[1] ?? "";
      const matchers =
        kind === "custom"
          ? 'namespace="facedrift",pod=~"facedrift-server-a|facedrift-server-b"'
          : 'namespace="facedrift",kind="image-batch"';
      return rule.metricsQuery
        .replaceAll("<<.Series>>", series)
        .replaceAll("<<.LabelMatchers>>", matchers)
        .replaceAll("<<.GroupBy>>", "pod");
    };

    it("serve the names the HPAs ask for, from series /metrics exposes, with the labels they select", () => {
      expect(adapter.rules.default).toBe(false);
      expect(rules.map((r) => `${r.kind}:${r.rule.name.as}`).sort()).toEqual([
        "custom:facedrift_http_requests_per_second",
        "external:facedrift_replica_jobs",
      ]);
      for (const { kind, rule } of rules) {
        const series = /^(\w+)\{/.exec(rule.seriesQuery)?.[1] ?? "";
        expect(exposed.has(series), series).toBe(true);
        expect(new RegExp(rule.name.matches).test(series)).toBe(true);
        // Per-pod metrics need the pod label; namespaced external ones the namespace.
        expect(Object.keys(rule.resources.overrides)).toEqual(
          kind === "custom" ? ["namespace", "pod"] : ["namespace"],
        );
      }
      // The replicas' HPA selects the job kinds by label: each must be a series, zero or not.
      for (const kind of ["image-batch", "verification"])
        for (const state of ["queued", "running"])
          expect(exposition).toContain(`facedrift_jobs{kind="${kind}",state="${state}"} `);
    });

    it(`fill into valid PromQL${skipReason}`, () => {
      if ("skip" in tool) return;
      const dir = mkdtempSync(join(tmpdir(), "facedrift-adapter-"));
      try {
        const body = rules
          .map((r, i) => `      - record: adapter:query_${i}\n        expr: ${JSON.stringify(rendered(r))}\n`)
          .join("");
        const file = join(dir, "adapter.rules.yml");
        writeFileSync(file, `groups:\n  - name: adapter\n    rules:\n${body}`);
        const check = promtool(tool, ["check", "rules", file]);
        expect(check.output).toContain("SUCCESS");
        expect(check.status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it(`count each queued job once however many servers export the queue${skipReason}`, () => {
      if ("skip" in tool) return;
      // Two servers scrape the same table: 3 queued + 1 running image batches each. The replicas'
      // metric must say 4, not 8; probes do not count as requests.
      const external = rendered(rules.find((r) => r.kind === "external") as (typeof rules)[number]);
      const custom = rendered(rules.find((r) => r.kind === "custom") as (typeof rules)[number]);
      const dir = mkdtempSync(join(tmpdir(), "facedrift-adapter-"));
      try {
        writeFileSync(
          join(dir, "adapter.rules.yml"),
          `groups:\n  - name: adapter\n    rules:\n` +
            `      - record: replica_jobs\n        expr: ${JSON.stringify(external)}\n` +
            `      - record: requests_per_second\n        expr: ${JSON.stringify(custom)}\n`,
        );
        const series = (labels: string, values: string) =>
          `      - series: '${labels}'\n        values: "${values}"\n`;
        const jobs = (pod: string, kind: string, state: string, n: number) =>
          series(
            `facedrift_jobs{namespace="facedrift",pod="${pod}",kind="${kind}",state="${state}"}`,
            `${n}+0x10`,
          );
        const requests = (pod: string, route: string, perMinute: number) =>
          series(
            `facedrift_http_request_duration_seconds_count{namespace="facedrift",pod="${pod}",method="POST",route="${route}",status="200"}`,
            `0+${perMinute}x10`,
          );
        writeFileSync(
          join(dir, "adapter.test.yml"),
          "rule_files: [adapter.rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n" +
            ["facedrift-server-a", "facedrift-server-b"]
              .flatMap((pod) => [
                jobs(pod, "image-batch", "queued", 3),
                jobs(pod, "image-batch", "running", 1),
                jobs(pod, "image-batch", "delayed", 7),
                jobs(pod, "verification", "queued", 0),
              ])
              .join("") +
            requests("facedrift-server-a", "/v1/streams/:stream/embeddings", 600) +
            requests("facedrift-server-a", "/healthz", 6) +
            "    promql_expr_test:\n" +
            "      - expr: replica_jobs\n        eval_time: 5m\n        exp_samples:\n" +
            "          - labels: 'replica_jobs{kind=\"image-batch\"}'\n            value: 4\n" +
            "      - expr: requests_per_second\n        eval_time: 5m\n        exp_samples:\n" +
            "          - labels: 'requests_per_second{pod=\"facedrift-server-a\"}'\n            value: 10\n",
        );
        const result = promtool(tool, ["test", "rules", join(dir, "adapter.test.yml")]);
        expect(result.output).toContain("SUCCESS");
        expect(result.status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
