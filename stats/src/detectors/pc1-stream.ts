/**
 * The streaming detector: each embedding is projected on the reference's first principal
 * component and fed to ADWIN. Its whole state is the ADWIN checkpoint (JSON), so the worker can
 * commit it with its cursor in one transaction and resume exactly where it stopped.
 */
import { kernels } from "@facedrift/wasm-kernels";
import { Adwin, type AdwinParams, type AdwinState } from "../adwin.ts";

export interface Pc1Projection {
  /** The reference mean (dimension d). */
  mean: ArrayLike<number>;
  /** The unit first principal component (dimension d). */
  pc1: ArrayLike<number>;
}

/** One ADWIN detection while following a per-embedding statistic. */
export interface AdwinDetection {
  /** Index of the value within the values fed. */
  index: number;
  /** The value that triggered it. */
  score: number;
  /** Mean of the part of the window ADWIN dropped (the "before" regime). */
  meanBefore: number;
  /** Mean of the window ADWIN kept (the "after" regime). */
  meanAfter: number;
  widthBefore: number;
  widthAfter: number;
}

export type Pc1Detection = AdwinDetection;

/**
 * Feeds `values` to `adwin` in order and describes each detection: the means and widths of the
 * window before and after the cut. Shared by every streaming statistic (PC1, the PCA residual).
 */
export function feedAdwin(adwin: Adwin, values: ArrayLike<number>): AdwinDetection[] {
  const detections: AdwinDetection[] = [];
  for (let i = 0; i < values.length; i++) {
    // After a detection the next update starts a fresh window, so "before" is empty then.
    const widthPrevious = adwin.driftDetected ? 0 : adwin.width;
    const totalPrevious = adwin.driftDetected ? 0 : adwin.total;
    const score = values[i] as number;
    if (!adwin.update(score)) continue;
    // The window before this update plus this value, minus what ADWIN kept, is what it dropped.
    const kept = adwin.summary();
    const widthBefore = widthPrevious + 1;
    const dropped = widthBefore - kept.width;
    detections.push({
      index: i,
      score,
      meanBefore: dropped > 0 ? (totalPrevious + score - kept.total) / dropped : kept.estimation,
      meanAfter: kept.estimation,
      widthBefore,
      widthAfter: kept.width,
    });
  }
  return detections;
}

export class Pc1Stream {
  private readonly direction: Float32Array;
  private readonly offset: Float64Array;
  private readonly dimension: number;
  private adwin: Adwin;

  constructor(projection: Pc1Projection, adwin: Partial<AdwinParams> | AdwinState = {}) {
    this.dimension = projection.pc1.length;
    if (projection.mean.length !== this.dimension) throw new RangeError("PC1 and mean differ in dimension");
    this.direction = Float32Array.from(projection.pc1);
    let offset = 0;
    for (let t = 0; t < this.dimension; t++)
      offset += (projection.mean[t] as number) * (projection.pc1[t] as number);
    this.offset = Float64Array.of(offset);
    this.adwin =
      "format" in adwin ? Adwin.fromJSON(adwin as AdwinState) : new Adwin(adwin as Partial<AdwinParams>);
  }

  /** Projects n embeddings (row-major f32) and feeds their PC1 scores to ADWIN in order. */
  process(embeddings: Float32Array, n: number): { scores: Float64Array; detections: Pc1Detection[] } {
    const scores = kernels().project(embeddings, n, this.dimension, this.direction, 1, this.offset);
    return { scores, detections: this.feed(scores) };
  }

  /**
   * Feeds PC1 scores projected elsewhere (the streaming worker's one projection of a batch on
   * every component: its first column is what `process` computes, bit for bit).
   */
  feed(scores: ArrayLike<number>): Pc1Detection[] {
    return feedAdwin(this.adwin, scores);
  }

  /** The checkpoint to commit with the cursor. */
  state(): AdwinState {
    return this.adwin.toJSON();
  }
}
