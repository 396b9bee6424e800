/**
 * Test support (not a test): the exactly-once oracle. What one uninterrupted pass of the
 * streaming detectors over every row, as a single batch, detects and leaves as its checkpoint:
 * a worker that crashed, was taken over or read in other page sizes must end in exactly this.
 */
import {
  FeatureMmdWindow,
  MmdWindow,
  pcaFromJson,
  projectPca,
  type ReferenceProfile,
} from "@facedrift/stats";
import { type Detection, runDetectors, type StreamState } from "../detectors.ts";
import { peopleReferenceOf, type StreamingReference } from "../reference.ts";

/** The detectors' view of a profile, as `loadActiveReference` builds it from the stored JSON. */
export function streamingReferenceOf(profile: ReferenceProfile, version = 1): StreamingReference {
  const pca = pcaFromJson(profile.pca);
  const window = profile.mmdWindow;
  return {
    id: 0,
    streamId: 0,
    version,
    projection: { mean: Array.from(pca.mean), pc1: Array.from(pca.components.subarray(0, pca.dim)) },
    pca,
    adwin: profile.adwin,
    residualAdwin: profile.residual?.adwin ?? null,
    mmdWindow: profile.featureWindow
      ? {
          space: "pca-scores+residual",
          size: profile.featureWindow.size,
          threshold: profile.featureWindow.threshold,
          alpha: profile.featureWindow.alpha,
          detector: new FeatureMmdWindow(profile.featureWindow),
          // The oracle projects as profiles without a shared PCA do: on each PCA separately.
          sharesProjection: false,
        }
      : window
        ? {
            space: "all-dimensions",
            size: window.size,
            threshold: window.threshold,
            alpha: window.alpha,
            detector: new MmdWindow(
              profile.mmd.sample,
              profile.mmd.sampleSize,
              profile.dimension,
              profile.mmd.sigma,
            ),
          }
        : null,
    quality: profile.quality ? { profile: profile.quality, harm: null } : null,
    residualLevel: profile.residualLevel ?? null,
    embeddingHarm: null,
    people:
      profile.mmd.samePersonThreshold === undefined
        ? null
        : peopleReferenceOf(pca, {
            sample: Float64Array.from(profile.mmd.sample),
            sampleSize: profile.mmd.sampleSize,
            sigma: profile.mmd.sigma,
            samePersonThreshold: profile.mmd.samePersonThreshold,
          }),
    limitation: null,
  };
}

export async function uninterruptedRun(
  reference: StreamingReference,
  seqs: number[],
  x: Float32Array,
): Promise<{ detections: Detection[]; state: StreamState }> {
  const componentScores = projectPca(reference.pca, x, seqs.length);
  const behind = async (): Promise<never> => {
    throw new Error("a single batch from the start never reads rows behind its cursor");
  };
  const result = await runDetectors(
    reference,
    null,
    0,
    { seqs, x, componentScores },
    { windowStart: behind, before: async () => ({ seqs: [], x: new Float32Array(0) }) },
  );
  return { detections: result.detections, state: result.state };
}

/** The numbers of a detection that a stored drift event must repeat, whatever the replica. */
export function detectionKey(d: Detection) {
  if (d.signal === "mmd")
    return { seq: d.seq, signal: d.signal, meanBefore: null, meanAfter: null, value: d.statistic };
  if (d.signal === "quality")
    return { seq: d.seq, signal: d.signal, meanBefore: null, meanAfter: null, value: d.result.maxAbsZ };
  return { seq: d.seq, signal: d.signal, meanBefore: d.meanBefore, meanAfter: d.meanAfter, value: d.score };
}
