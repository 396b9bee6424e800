/**
 * @module
 * Which photos the who-vs-how benchmark extracts under every change: the held-out people with at
 * least two photos (so each changed set has genuine pairs for the verification cost), all their
 * photos. The clean set is every photo, for the references and the clean streams.
 */
import { HELD_OUT_SHARE, SEED } from "../config.ts";
import { listImages, personOf, splitByIdentity } from "../dataset.ts";

export function benchmarkSample() {
  const images = listImages();
  const split = splitByIdentity(images, SEED, HELD_OUT_SHARE);
  const count = new Map<string, number>();
  for (const image of split.heldOut) count.set(personOf(image), (count.get(personOf(image)) ?? 0) + 1);
  const shifted = split.heldOut.filter((image) => (count.get(personOf(image)) ?? 0) >= 2);
  return { images, split, shifted };
}
