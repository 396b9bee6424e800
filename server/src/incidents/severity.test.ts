import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ALERT_SEVERITIES, type AlertSeverity } from "../db/schema/alert.ts";
import { FINDING_CATEGORIES } from "../db/schema/incident.ts";
import {
  addFinding,
  FINDING_SEVERITY,
  type Finding,
  type IncidentState,
  mergeCategory,
  SEVERITY_RANK,
} from "./severity.ts";

const at = (minutes: number) => new Date(Date.parse("2026-11-26T10:00:00Z") + minutes * 60_000);
const finding = (severity: AlertSeverity, kind = "pc1", extra: Partial<Finding> = {}): Finding => ({
  severity,
  kind,
  window: { from: at(0), to: at(10) },
  ...extra,
});

/** Feeds findings in order; returns the final state and the transitions channels would hear. */
function feed(findings: Finding[], notifyFrom: AlertSeverity = "warning") {
  let state: IncidentState | null = null;
  const transitions: string[] = [];
  for (const f of findings) {
    const next = addFinding(state, f, notifyFrom);
    state = next.state;
    if (next.transition) transitions.push(`${next.transition}:${next.state.severity}`);
  }
  return { state: state as IncidentState, transitions };
}

describe("addFinding", () => {
  it("one shift seen by every detector: opened once, escalated once, the rest attach silently", () => {
    const { state, transitions } = feed([
      finding("warning", "pc1"),
      finding("warning", "residual"),
      finding("warning", "mmd", { window: { from: at(5), to: at(40) } }),
      finding("warning", "mmd"),
      finding("critical", "batch", { window: { from: at(-60), to: at(30) } }),
      finding("warning", "batch"),
      finding("critical", "verification"),
    ]);
    expect(transitions).toEqual(["opened:warning", "escalated:critical"]);
    expect(state).toMatchObject({
      severity: "critical",
      notifiedSeverity: "critical",
      detectors: ["pc1", "residual", "mmd", "batch", "verification"],
      findingCount: 7,
      windowFrom: at(-60),
      windowTo: at(40),
    });
  });

  it("a more severe finding is never hidden, however soon after the opening", () => {
    expect(feed([finding("warning"), finding("critical")]).transitions).toEqual([
      "opened:warning",
      "escalated:critical",
    ]);
    // And a milder one after it neither lowers the severity nor notifies.
    const { state, transitions } = feed([finding("critical"), finding("warning"), finding("info")]);
    expect(transitions).toEqual(["opened:critical"]);
    expect(state.severity).toBe("critical");
  });

  it("population findings count as info: silent by default, notified when the stream asks for info", () => {
    const population = finding("critical", "population-knn", { category: "population" });
    const quiet = feed([population, population]);
    expect(quiet.transitions).toEqual([]);
    expect(quiet.state).toMatchObject({ severity: "info", notifiedSeverity: null, category: "population" });
    expect(feed([population], "info").transitions).toEqual(["opened:info"]);
    // An input finding afterwards is what opens it for the channels, at its own severity.
    const mixed = feed([population, finding("warning", "pc1", { category: "input" })]);
    expect(mixed.transitions).toEqual(["opened:warning"]);
    expect(mixed.state.category).toBe("input");
  });

  it("properties: severity is the max of findings' (population capped at info), notifications at most one per level", () => {
    const arbitraryFinding = fc.record({
      severity: fc.constantFrom(...ALERT_SEVERITIES),
      kind: fc.constantFrom("pc1", "residual", "mmd", "batch", "verification"),
      category: fc.constantFrom(null, ...FINDING_CATEGORIES),
      from: fc.integer({ min: -1000, max: 1000 }),
      length: fc.integer({ min: 0, max: 500 }),
    });
    fc.assert(
      fc.property(
        fc.array(arbitraryFinding, { minLength: 1, maxLength: 30 }),
        fc.constantFrom(...ALERT_SEVERITIES),
        (raw, notifyFrom) => {
          const findings = raw.map((r) =>
            finding(r.severity, r.kind, {
              category: r.category,
              window: { from: at(r.from), to: at(r.from + r.length) },
            }),
          );
          const { state, transitions } = feed(findings, notifyFrom);
          const effective = findings.map((f) => (f.category === "population" ? "info" : f.severity));
          const expected = effective.reduce((a, b) => (SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a));
          expect(state.severity).toBe(expected);
          expect(state.findingCount).toBe(findings.length);
          // Opened at most once, first; each later notification at a strictly higher severity.
          expect(transitions.filter((t) => t.startsWith("opened"))).toHaveLength(
            SEVERITY_RANK[expected] >= SEVERITY_RANK[notifyFrom] ? 1 : 0,
          );
          const ranks = transitions.map((t) => SEVERITY_RANK[t.split(":")[1] as AlertSeverity]);
          for (let i = 1; i < ranks.length; i++) expect(ranks[i]).toBeGreaterThan(ranks[i - 1] as number);
          expect(state.windowFrom.getTime()).toBe(Math.min(...findings.map((f) => f.window.from.getTime())));
          expect(state.windowTo.getTime()).toBe(Math.max(...findings.map((f) => f.window.to.getTime())));
        },
      ),
    );
  });
});

describe("mergeCategory", () => {
  it("input wins; population only while every finding says so", () => {
    expect(mergeCategory("population", "input")).toBe("input");
    expect(mergeCategory(null, "input")).toBe("input");
    expect(mergeCategory("population", "population")).toBe("population");
    expect(mergeCategory("population", null)).toBeNull();
    expect(mergeCategory(null, "population")).toBeNull();
  });
});

describe("docs/incidents.md", () => {
  it("documents the severity of every finding kind exactly as the code gives it", () => {
    const doc = readFileSync(join(import.meta.dirname, "../../../docs/incidents.md"), "utf8");
    const rows = [...doc.matchAll(/^\| `([a-z0-9-]+)` *\| (info|warning|critical) *\| (.+?) *\|$/gm)].map(
      ([, kind, severity, when]) => [kind, { severity, when }],
    );
    expect(Object.fromEntries(rows)).toEqual(FINDING_SEVERITY);
  });
});
