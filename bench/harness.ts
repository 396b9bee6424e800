/**
 * Benchmark harness: every figure is a ratio against a baseline run in the same process,
 * interleaved with the candidate so that both see the same machine load (the guide asks for
 * ratios, never absolute timings asserted in tests).
 *
 * A suite module (`<workspace>/bench/<name>.bench.ts`) default-exports `Comparison[]`.
 */
export interface Contender {
  /** What runs, e.g. "wasm-simd f32" or "plain TypeScript loop". */
  name: string;
  /** One unit of work; called repeatedly. May be async. */
  run: () => unknown;
}

export interface Comparison {
  /** Stable id used in bench/results, e.g. "adwin.update". */
  id: string;
  /** One line for the BENCHMARKS.md table. */
  title: string;
  /** How much work one `run()` does, in `unit`s (e.g. 1_000_000 "updates"). */
  work: number;
  unit: string;
  baseline: Contender;
  candidate: Contender;
  /** The goal for the candidate, checked and reported (never asserted). */
  goal?: { unitsPerSecondAtLeast?: number; secondsAtMost?: number; text: string };
  /** Repetitions of each contender (default 5); the median counts. */
  repeats?: number;
  /** Optional set-up before timing; receives nothing, returns nothing. */
  setup?: () => unknown;
  /** Optional clean-up after timing (e.g. closing a browser the suite launched, which would keep the process alive). */
  teardown?: () => unknown;
}

export interface Measurement {
  id: string;
  title: string;
  unit: string;
  work: number;
  baseline: { name: string; medianSeconds: number; unitsPerSecond: number };
  candidate: { name: string; medianSeconds: number; unitsPerSecond: number };
  /** candidate speed / baseline speed (> 1 means the candidate is faster). */
  speedup: number;
  goal?: { text: string; met: boolean };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

async function timeOnce(run: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export async function measure(c: Comparison): Promise<Measurement> {
  await c.setup?.();
  // One warm-up each so JIT tiers and WASM compilation are not timed.
  await timeOnce(c.baseline.run);
  await timeOnce(c.candidate.run);
  const base: number[] = [];
  const cand: number[] = [];
  for (let i = 0; i < (c.repeats ?? 5); i++) {
    base.push(await timeOnce(c.baseline.run));
    cand.push(await timeOnce(c.candidate.run));
  }
  await c.teardown?.();
  const b = median(base);
  const k = median(cand);
  const result: Measurement = {
    id: c.id,
    title: c.title,
    unit: c.unit,
    work: c.work,
    baseline: { name: c.baseline.name, medianSeconds: b, unitsPerSecond: c.work / b },
    candidate: { name: c.candidate.name, medianSeconds: k, unitsPerSecond: c.work / k },
    speedup: b / k,
  };
  if (c.goal) {
    const rateOk = c.goal.unitsPerSecondAtLeast === undefined || c.work / k >= c.goal.unitsPerSecondAtLeast;
    const timeOk = c.goal.secondsAtMost === undefined || k <= c.goal.secondsAtMost;
    result.goal = { text: c.goal.text, met: rateOk && timeOk };
  }
  return result;
}
