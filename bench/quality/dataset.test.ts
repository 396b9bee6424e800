import { describe, expect, it } from "vitest";
import { personOf, splitByIdentity } from "./dataset.ts";

const images = [
  "A/A_1.jpg",
  "A/A_2.jpg",
  "B/B_1.jpg",
  "C/C_1.jpg",
  "C/C_2.jpg",
  "C/C_3.jpg",
  "D/D_1.jpg",
  "E/E_1.jpg",
];

describe("splitByIdentity", () => {
  it("keeps every person on one side, loses no image, and is a function of the seed", () => {
    for (const seed of [1, 2, 3, 99]) {
      const split = splitByIdentity(images, seed, 0.4);
      const left = new Set(split.reference.map(personOf));
      expect(split.heldOut.some((im) => left.has(personOf(im)))).toBe(false);
      expect([...split.reference, ...split.heldOut].sort()).toEqual([...images].sort());
      expect(split.heldOutPeople).toBe(2);
      expect(split.referencePeople).toBe(3);
      expect(splitByIdentity(images, seed, 0.4)).toEqual(split);
    }
  });

  it("does not depend on the order the images are listed in", () => {
    expect(splitByIdentity([...images].reverse(), 7, 0.4).heldOut.sort()).toEqual(
      splitByIdentity(images, 7, 0.4).heldOut.sort(),
    );
  });
});
