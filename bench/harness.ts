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
  /**
   * CPU seconds used so far by other processes that do part of the work (e.g. the PostgreSQL
   * backends of the suite's database); the difference across a run is reported per unit.
   */
  externalCpuSeconds?: () => number;
}

/**
 * What one contender cost. CPU time (this process's user + system, and the other processes'
 * when the comparison names them) moves far less with the machine's load than wall time.
 */
export interface ContenderResult {
  name: string;
  medianSeconds: number;
  unitsPerSecond: number;
  /** Median CPU seconds of this process per unit. */
  cpuSecondsPerUnit?: number;
  /** Median CPU seconds of the comparison's other processes per unit. */
  externalCpuSecondsPerUnit?: number;
}

export interface Measurement {
  id: string;
  title: string;
  unit: string;
  work: number;
  baseline: ContenderResult;
  candidate: ContenderResult;
  /** candidate speed / baseline speed (> 1 means the candidate is faster). */
  speedup: number;
  goal?: { text: string; met: boolean };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

interface Run {
  seconds: number;
  cpu: number;
  external: number;
}

async function timeOnce(run: () => unknown, external?: () => number): Promise<Run> {
  const externalStart = external?.() ?? 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  return { seconds, cpu: (cpu.user + cpu.system) / 1e6, external: (external?.() ?? 0) - externalStart };
}

export async function measure(c: Comparison): Promise<Measurement> {
  await c.setup?.();
  // One warm-up each so JIT tiers and WASM compilation are not timed.
  await timeOnce(c.baseline.run);
  await timeOnce(c.candidate.run);
  const base: Run[] = [];
  const cand: Run[] = [];
  for (let i = 0; i < (c.repeats ?? 5); i++) {
    base.push(await timeOnce(c.baseline.run, c.externalCpuSeconds));
    cand.push(await timeOnce(c.candidate.run, c.externalCpuSeconds));
  }
  await c.teardown?.();
  const resultOf = (contender: Contender, runs: Run[]): ContenderResult => {
    const seconds = median(runs.map((r) => r.seconds));
    return {
      name: contender.name,
      medianSeconds: seconds,
      unitsPerSecond: c.work / seconds,
      cpuSecondsPerUnit: median(runs.map((r) => r.cpu)) / c.work,
      ...(c.externalCpuSeconds
        ? { externalCpuSecondsPerUnit: median(runs.map((r) => r.external)) / c.work }
        : {}),
    };
  };
  const baseline = resultOf(c.baseline, base);
  const candidate = resultOf(c.candidate, cand);
  const b = baseline.medianSeconds;
  const k = candidate.medianSeconds;
  const result: Measurement = {
    id: c.id,
    title: c.title,
    unit: c.unit,
    work: c.work,
    baseline,
    candidate,
    speedup: b / k,
  };
  if (c.goal) {
    const rateOk = c.goal.unitsPerSecondAtLeast === undefined || c.work / k >= c.goal.unitsPerSecondAtLeast;
    const timeOk = c.goal.secondsAtMost === undefined || k <= c.goal.secondsAtMost;
    result.goal = { text: c.goal.text, met: rateOk && timeOk };
  }
  return result;
}
