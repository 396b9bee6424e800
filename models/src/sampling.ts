/**
 * @module
 * Which faces a capture station or replica also embeds with a stream's candidate model during a
 * model transition. The choice is a function of the face's id alone (FNV-1a, 32 bits, then
 * MurmurHash3's finaliser), so a retry, a reload or another replica makes the same choice. FNV-1a
 * alone barely moves the high bits for ids that differ in their last characters (`face-1`,
 * `face-2`): the finaliser spreads them, so sequential ids are picked at the share asked.
 * `modelsForFace` is the whole rule both the capture station and the replica follow.
 */

/** FNV-1a over the UTF-16 code units of `text`, as an unsigned 32-bit integer. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** MurmurHash3's 32-bit finaliser: every input bit flips each output bit with probability ~½. */
export function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** Whether the face `id` falls in a sampling share (0, 1] (1: every face; 0 or less: none). */
export function inSamplingShare(id: string, share: number): boolean {
  if (share >= 1) return true;
  if (!(share > 0)) return false;
  return fmix32(fnv1a32(id)) / 2 ** 32 < share;
}

export interface ModelRef {
  id: string;
  version: string;
}

/** A stream's model transition as ingest answers tell it (`transition` of `IngestResponse`). */
export interface ModelTransition {
  current: { model: ModelRef; dimension: number };
  candidate: { model: ModelRef; dimension: number; samplingShare: number } | null;
}

const sameModel = (a: ModelRef, b: ModelRef) => a.id === b.id && a.version === b.version;

/**
 * The models face `faceId` is sent with: the stream's current model (or, when this host cannot run
 * it or there is no transition, its own default, which the server then routes or refuses as
 * usual), and the candidate for the faces its sampling share picks, if this host can run it.
 */
export function modelsForFace(
  transition: ModelTransition | null,
  faceId: string,
  defaultModel: ModelRef,
  canRun: (model: ModelRef) => boolean,
): ModelRef[] {
  if (!transition) return [defaultModel];
  const models = [canRun(transition.current.model) ? transition.current.model : defaultModel];
  const candidate = transition.candidate;
  if (
    candidate &&
    canRun(candidate.model) &&
    !models.some((m) => sameModel(m, candidate.model)) &&
    inSamplingShare(faceId, candidate.samplingShare)
  ) {
    models.push(candidate.model);
  }
  return models;
}
