/**
 * @module
 * The LFW subset in ../shared/data/faces, split by identity: reference people (the reference a
 * deployment is calibrated on) and held-out people (the stream it then sees). Splitting by person,
 * not by photo, keeps a held-out face from having its own twin in the reference, which would make
 * nearest-neighbour statistics look better than they are in production.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { seededRng } from "@facedrift/stats";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const FACES_DIR = join(REPO_ROOT, "..", "shared", "data", "faces");
export const ALIGNED_DIR = join(FACES_DIR, "images");
export const ORIGINALS_DIR = join(FACES_DIR, "images_original_150");
export const PAIRS_FILE = join(FACES_DIR, "pairs.tsv");

/** `Person_Name/Person_Name_0001.jpg` → `Person_Name`. */
export function personOf(image: string): string {
  return image.split("/")[0] ?? image;
}

/** Every image under `images/`, as sorted `Person/Person_NNNN.jpg` paths. */
export function listImages(dir = ALIGNED_DIR): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((person) =>
      readdirSync(join(dir, person))
        .filter((f) => f.endsWith(".jpg"))
        .sort()
        .map((f) => `${person}/${f}`),
    );
}

export interface IdentitySplit {
  reference: string[];
  heldOut: string[];
  referencePeople: number;
  heldOutPeople: number;
}

/**
 * Seeded split of people (not images) into reference and held-out; `heldOutShare` is the share of
 * people held out. Deterministic for a given image list, seed and share.
 */
export function splitByIdentity(
  images: readonly string[],
  seed: number,
  heldOutShare: number,
): IdentitySplit {
  const people = [...new Set(images.map(personOf))].sort();
  const rng = seededRng(seed);
  // Fisher–Yates on the sorted names, so the split does not depend on directory order.
  for (let i = people.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [people[i], people[j]] = [people[j] as string, people[i] as string];
  }
  const heldOutCount = Math.round(people.length * heldOutShare);
  const heldOutPeople = new Set(people.slice(0, heldOutCount));
  return {
    reference: images.filter((im) => !heldOutPeople.has(personOf(im))),
    heldOut: images.filter((im) => heldOutPeople.has(personOf(im))),
    referencePeople: people.length - heldOutCount,
    heldOutPeople: heldOutCount,
  };
}
