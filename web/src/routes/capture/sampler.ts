/**
 * @module
 * Decides which analysed faces are sent: at most `rateHz` per second, and never a near-duplicate
 * of the last face sent (a person standing still yields almost the same vector frame after frame,
 * which would only weight the stream towards whoever lingers).
 */

export interface SamplerOptions {
  rateHz: number;
  /** Cosine similarity at or above which a face counts as the previous one again. */
  duplicateCosine: number;
}

export const DEFAULT_DUPLICATE_COSINE = 0.995;

export type SampleVerdict = "send" | "rate-limited" | "duplicate";

/** Cosine of two unit vectors (the pipeline L2-normalises every embedding). */
function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

export function createSampler(options: SamplerOptions) {
  let lastSentAt = Number.NEGATIVE_INFINITY;
  let lastSent: Float32Array | undefined;
  return {
    /** Judges one face seen at `now` (ms); a `send` verdict records it as the last one sent. */
    consider(embedding: Float32Array, now: number): SampleVerdict {
      if (now - lastSentAt < 1000 / options.rateHz) return "rate-limited";
      if (lastSent && dot(lastSent, embedding) >= options.duplicateCosine) return "duplicate";
      lastSentAt = now;
      lastSent = embedding;
      return "send";
    },
  };
}

export type Sampler = ReturnType<typeof createSampler>;
