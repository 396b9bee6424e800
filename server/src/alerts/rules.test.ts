import { describe, expect, it } from "vitest";
import { FacedriftError } from "../errors.ts";
import { applyCooldown, type CooldownState, consecutive, psiPersists } from "./rules.ts";
import type { AlertSeverity } from "./types.ts";

const HOUR = 3_600_000;
const t0 = Date.parse("2026-11-26T12:00:00Z");

function alert(
  minutes: number,
  overrides: { stream?: string; detector?: "stream" | "batch"; severity?: AlertSeverity } = {},
) {
  return {
    tenantId: 7,
    stream: overrides.stream ?? "lobby",
    detector: overrides.detector ?? "batch",
    severity: overrides.severity ?? "warning",
    createdAt: new Date(t0 + minutes * 60_000),
  };
}

/** Feeds alerts through the cooldown and returns which were sent. */
function run(alerts: ReturnType<typeof alert>[], cooldownMs = HOUR) {
  let state: CooldownState = {};
  const sent: boolean[] = [];
  const suppressedBefore: number[] = [];
  for (const a of alerts) {
    const decision = applyCooldown(state, a, cooldownMs);
    state = decision.state;
    sent.push(decision.send);
    suppressedBefore.push(decision.suppressedBefore);
  }
  return { sent, suppressedBefore, state };
}

describe("applyCooldown", () => {
  it("sends the first alert of a shift, suppresses and counts repeats within the cooldown, sends again after it", () => {
    const { sent, suppressedBefore, state } = run([
      alert(0),
      alert(10),
      alert(20),
      alert(59),
      alert(60),
      alert(61),
    ]);
    expect(sent).toEqual([true, false, false, false, true, false]);
    // The alert sent at minute 60 can say that 3 were suppressed before it.
    expect(suppressedBefore).toEqual([0, 0, 0, 0, 3, 0]);
    expect(Object.values(state)).toEqual([
      { lastSentAt: t0 + 60 * 60_000, lastSeverity: "warning", suppressed: 1 },
    ]);
  });

  it("keys on tenant, stream and detector: other streams and detectors are not suppressed", () => {
    const { sent } = run([
      alert(0),
      alert(1, { stream: "garage" }),
      alert(2, { detector: "stream" }),
      alert(3),
      { ...alert(4), tenantId: 8 },
    ]);
    expect(sent).toEqual([true, true, true, false, true]);
  });

  it("an escalation goes out within the cooldown; a de-escalation does not", () => {
    const { sent } = run([
      alert(0, { severity: "warning" }),
      alert(5, { severity: "critical" }),
      alert(6, { severity: "critical" }),
      alert(7, { severity: "info" }),
    ]);
    expect(sent).toEqual([true, true, false, false]);
  });

  it("does not mutate the state it is given, and the state survives JSON", () => {
    const first = applyCooldown({}, alert(0), HOUR);
    const frozen = JSON.parse(JSON.stringify(first.state));
    const second = applyCooldown(Object.freeze(frozen), alert(1), HOUR);
    expect(second.send).toBe(false);
    expect(Object.values(frozen)[0]).toMatchObject({ suppressed: 0 });
  });

  it("rejects a negative or NaN cooldown, naming it", () => {
    expect(() => applyCooldown({}, alert(0), -1)).toThrow(FacedriftError);
    expect(() => applyCooldown({}, alert(0), Number.NaN)).toThrow(/cooldownMs/);
  });
});

describe("psiPersists", () => {
  it("fires when the same dimension is at or above 0.1 in the last 2 runs", () => {
    const history = [{ psi: [0.3, 0.0, 0.0] }, { psi: [0.05, 0.12, 0.1] }, { psi: [0.02, 0.2, 0.1] }];
    expect(psiPersists(history)).toEqual({ fires: true, dimensions: [1, 2] });
  });

  it("does not fire when the threshold is crossed on different dimensions", () => {
    expect(psiPersists([{ psi: [0.2, 0.0] }, { psi: [0.0, 0.2] }])).toEqual({ fires: false, dimensions: [] });
  });

  it("needs as many runs as asked for", () => {
    expect(psiPersists([{ psi: [0.5] }])).toEqual({ fires: false, dimensions: [] });
    const history = [{ psi: [0.5] }, { psi: [0.5] }, { psi: [0.09] }];
    expect(psiPersists(history, { runs: 2 }).fires).toBe(false);
    expect(psiPersists(history, { runs: 1, threshold: 0.05 })).toEqual({ fires: true, dimensions: [0] });
    expect(psiPersists(history.slice(0, 2), { runs: 2, threshold: 0.25 }).fires).toBe(true);
  });

  it("rejects a bad run count or threshold", () => {
    expect(() => psiPersists([], { runs: 0 })).toThrow(/runs/);
    expect(() => psiPersists([], { threshold: Number.NaN })).toThrow(/threshold/);
  });
});

describe("consecutive", () => {
  it("checks the last n runs only", () => {
    const pValues = [0.001, 0.5, 0.004, 0.002];
    expect(consecutive(pValues, 2, (p) => p < 0.01)).toBe(true);
    expect(consecutive(pValues, 3, (p) => p < 0.01)).toBe(false);
    expect(consecutive(pValues, 5, () => true)).toBe(false);
  });
});
