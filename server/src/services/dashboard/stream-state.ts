/**
 * @module
 * The one rule for a stream's state on the overview, kept apart from the queries so it can be
 * read and tested on its own.
 */

export const STREAM_STATES = ["ok", "drifting", "lagging", "unmonitored"] as const;
export type StreamState = (typeof STREAM_STATES)[number];

/** Embeddings the streaming detector may be behind before the stream counts as lagging. */
export const LAGGING_EMBEDDINGS = 1_000;

export interface StreamStateInput {
  hasReference: boolean;
  /** Embeddings stored past the streaming detector's cursor (null without a reference). */
  lag: number | null;
  /** The latest finished batch run confirmed drift. */
  lastRunDrift: boolean | null;
  /**
   * The stream has an active (open or acknowledged) incident of at least warning severity with a
   * drift finding in it (any detector but verification, which says what drift costs, not that
   * the inputs moved).
   */
  driftIncident: boolean;
}

/**
 * Drifting wins over lagging (a person should look at drift first, however late the detector
 * is); a stream without a reference is not watched at all, which is worth saying.
 */
export function streamState(input: StreamStateInput): StreamState {
  if (!input.hasReference) return "unmonitored";
  if (input.lastRunDrift === true || input.driftIncident) return "drifting";
  if ((input.lag ?? 0) >= LAGGING_EMBEDDINGS) return "lagging";
  return "ok";
}
