/**
 * The bucket arithmetic of ADWIN (Bifet & Gavaldà, "Learning from time-changing data with adaptive
 * windowing", SDM 2007), as River 0.24 implements it in `river/drift/adwin_c.pyx` — the version the
 * newer Rust rewrite is declared bit-identical to. Every floating-point expression below keeps the
 * operand order of that file so that detections and the window statistics match it bit for bit;
 * do not "simplify" them.
 *
 * Names follow the paper/River: row `r` of the exponential histogram holds buckets of 2^r elements,
 * oldest first; W0 is the older sub-window, W1 the newer one; n = width, u = total.
 * Variance updates follow Babcock et al., "Maintaining variance and k-medians over data stream
 * windows", PODS 2003.
 */

export interface AdwinParams {
  /** Confidence; smaller means fewer false alarms and slower detection. */
  delta: number;
  /** The cut test runs every `clock` updates. */
  clock: number;
  /** Buckets per row before the two oldest are merged into the next row. */
  maxBuckets: number;
  /** Both sub-windows must hold at least this many elements for a cut to be tested. */
  minWindowLength: number;
  /** No cut is tested until the window is wider than this. */
  gracePeriod: number;
}

export const DEFAULT_ADWIN_PARAMS: Readonly<AdwinParams> = Object.freeze({
  delta: 0.002,
  clock: 32,
  maxBuckets: 5,
  minWindowLength: 5,
  gracePeriod: 10,
});

/** Plain-data snapshot of the window, safe to JSON-encode (all numbers are finite doubles). */
export interface AdwinWindowState {
  width: number;
  total: number;
  variance: number;
  tick: number;
  nDetections: number;
  /** rows[r] = [totals of row r oldest→newest, variances of row r oldest→newest]. */
  rows: Array<[number[], number[]]>;
}

export class AdwinWindow {
  readonly params: Readonly<AdwinParams>;
  width = 0;
  total = 0;
  variance = 0;
  tick = 0;
  nDetections = 0;
  // Row r occupies slots [r*cap, r*cap+count[r]) of the flat arrays, oldest first.
  private readonly cap: number;
  private totals: Float64Array;
  private variances: Float64Array;
  private counts: Int32Array;
  private nRows = 1;

  constructor(params: Readonly<AdwinParams>) {
    this.params = params;
    this.cap = params.maxBuckets + 1;
    this.totals = new Float64Array(this.cap * 16);
    this.variances = new Float64Array(this.cap * 16);
    this.counts = new Int32Array(16);
  }

  /** Adds one value; returns true when a change was detected (and the window was shrunk). */
  update(value: number): boolean {
    this.insert(value);
    return this.detectChange();
  }

  private insert(value: number): void {
    this.push(0, value, 0);
    this.width += 1;
    let incremental = 0;
    if (this.width > 1) {
      const d = value - this.total / (this.width - 1);
      incremental = ((this.width - 1) * d * d) / this.width;
    }
    this.variance += incremental;
    this.total += value;
    this.compress();
  }

  private push(row: number, total: number, variance: number): void {
    if (row === this.nRows) this.addRow();
    const slot = row * this.cap + (this.counts[row] as number);
    this.totals[slot] = total;
    this.variances[slot] = variance;
    this.counts[row] = (this.counts[row] as number) + 1;
  }

  private addRow(): void {
    if (this.nRows === this.counts.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.totals = grow(this.totals);
      this.variances = grow(this.variances);
      const c = new Int32Array(this.counts.length * 2);
      c.set(this.counts);
      this.counts = c;
    }
    this.counts[this.nRows] = 0;
    this.nRows += 1;
  }

  /** Drops the `n` oldest buckets of a row (River's Bucket.compress). */
  private dropOldest(row: number, n: number): void {
    const base = row * this.cap;
    const count = this.counts[row] as number;
    // At most max_buckets+1 slots move: a plain loop beats copyWithin's per-call overhead here.
    for (let i = base; i < base + count - n; i++) {
      this.totals[i] = this.totals[i + n] as number;
      this.variances[i] = this.variances[i + n] as number;
    }
    this.counts[row] = count - n;
  }

  /** Merges the two oldest buckets of a full row into the next row, cascading upward. */
  private compress(): void {
    const { maxBuckets } = this.params;
    for (let row = 0; row < this.nRows; row++) {
      if (this.counts[row] !== maxBuckets + 1) break;
      const base = row * this.cap;
      const n1 = 2 ** row;
      const t0 = this.totals[base] as number;
      const t1 = this.totals[base + 1] as number;
      const mu1 = t0 / n1;
      const mu2 = t1 / n1;
      const total12 = t0 + t1;
      const temp = n1 * 0.5 * (mu1 - mu2) * (mu1 - mu2);
      const v12 = (this.variances[base] as number) + (this.variances[base + 1] as number) + temp;
      this.push(row + 1, total12, v12);
      this.dropOldest(row, 2);
      if ((this.counts[row + 1] as number) <= maxBuckets) break;
    }
  }

  /** Deletes the oldest bucket of the window; returns its size. */
  private deleteOldest(): number {
    const row = this.nRows - 1;
    const base = row * this.cap;
    const n = 2 ** row;
    const u = this.totals[base] as number;
    const mu = u / n;
    const v = this.variances[base] as number;
    this.width -= n;
    this.total -= u;
    const muWindow = this.total / this.width;
    const incremental = v + (n * this.width * (mu - muWindow) * (mu - muWindow)) / (n + this.width);
    this.variance -= incremental;
    this.dropOldest(row, 1);
    // River pops an emptied last row; row 0 always stays so the next insert has somewhere to go.
    if (this.counts[row] === 0 && this.nRows > 1) this.nRows -= 1;
    return n;
  }

  private detectChange(): boolean {
    const { clock, gracePeriod } = this.params;
    let changeDetected = false;
    this.tick += 1;
    if (this.tick % clock === 0 && this.width > gracePeriod) {
      while (this.scanCuts()) changeDetected = true;
    }
    if (changeDetected) this.nDetections += 1;
    return changeDetected;
  }

  /**
   * One pass over every cut W0|W1 from the oldest bucket to the newest. On the first cut whose
   * means differ by more than ε_cut the oldest bucket is dropped and true is returned, so the
   * caller rescans the shrunken window (River restarts the scan the same way).
   */
  private scanCuts(): boolean {
    const { minWindowLength: mwl, delta } = this.params;
    let n0 = 0;
    let n1 = this.width;
    let u0 = 0;
    let u1 = this.total;
    // Depends on the width only, which is fixed for the whole pass.
    const deltaPrime = Math.log((2 * Math.log(this.width)) / delta);
    const varianceInWindow = this.variance / this.width;
    for (let row = this.nRows - 1; row >= 0; row--) {
      const size = 2 ** row;
      const base = row * this.cap;
      const count = this.counts[row] as number;
      for (let k = 0; k < count; k++) {
        const bucketTotal = this.totals[base + k] as number;
        n0 += size;
        n1 -= size;
        u0 += bucketTotal;
        u1 -= bucketTotal;
        if (row === 0 && k === count - 1) return false; // the newest bucket: no cut after it
        if (n1 >= mwl && n0 >= mwl) {
          const deltaMean = u0 / n0 - u1 / n1;
          const mRecip = 1.0 / (n0 - mwl + 1) + 1.0 / (n1 - mwl + 1);
          const epsilon =
            Math.sqrt(2 * mRecip * varianceInWindow * deltaPrime) + (2.0 / 3.0) * deltaPrime * mRecip;
          if (Math.abs(deltaMean) > epsilon) {
            this.deleteOldest();
            return true;
          }
        }
      }
    }
    return false;
  }

  toState(): AdwinWindowState {
    const rows: AdwinWindowState["rows"] = [];
    for (let row = 0; row < this.nRows; row++) {
      const base = row * this.cap;
      const end = base + (this.counts[row] as number);
      rows.push([
        Array.from(this.totals.subarray(base, end)),
        Array.from(this.variances.subarray(base, end)),
      ]);
    }
    return {
      width: this.width,
      total: this.total,
      variance: this.variance,
      tick: this.tick,
      nDetections: this.nDetections,
      rows,
    };
  }

  static fromState(params: Readonly<AdwinParams>, state: AdwinWindowState): AdwinWindow {
    const w = new AdwinWindow(params);
    w.width = state.width;
    w.total = state.total;
    w.variance = state.variance;
    w.tick = state.tick;
    w.nDetections = state.nDetections;
    state.rows.forEach(([totals, variances], row) => {
      if (row > 0) w.addRow();
      if (totals.length !== variances.length || totals.length > w.cap) {
        throw new RangeError(`ADWIN state row ${row} has ${totals.length} buckets; at most ${w.cap} allowed`);
      }
      for (let k = 0; k < totals.length; k++) w.push(row, totals[k] as number, variances[k] as number);
    });
    return w;
  }
}
