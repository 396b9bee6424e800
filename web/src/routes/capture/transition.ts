/**
 * @module
 * A stream's model transition as the capture station follows it. Ingest answers carry the
 * stream's current model and its candidate with a sampling share; each face then goes out once per
 * model the station should send that the worker can run (`modelsForFace` in `@facedrift/models`):
 * the current one (the worker's default, or the promoted model embedded again), and the candidate
 * for the faces its share picks. Here: reading the answer and keeping it across reloads.
 */
import type { ModelRef, ModelTransition } from "@facedrift/models";

export { modelsForFace } from "@facedrift/models";
export type { ModelRef };
export type Transition = ModelTransition;

/** Reads an ingest answer's `transition`, or null when it has none or it is malformed. */
export function transitionOf(body: unknown): Transition | null {
  const t = (body as { transition?: Transition } | null)?.transition;
  if (!t || typeof t !== "object" || !t.current?.model?.id) return null;
  return t;
}

const storageKey = (stream: string) => `facedrift-capture-transition:${stream}`;

/** The last transition heard for `stream`, kept across reloads (a station may restart offline). */
export function loadTransition(storage: Pick<Storage, "getItem">, stream: string): Transition | null {
  try {
    return transitionOf({ transition: JSON.parse(storage.getItem(storageKey(stream)) ?? "null") });
  } catch {
    return null;
  }
}

export function saveTransition(
  storage: Pick<Storage, "setItem">,
  stream: string,
  transition: Transition | null,
) {
  storage.setItem(storageKey(stream), JSON.stringify(transition));
}
