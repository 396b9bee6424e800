/**
 * @module
 * The population shift: LFW carries no demographic labels, so a "subgroup" is a neighbourhood of
 * face space — the held-out people whose mean embedding is most similar to a seeded anchor person.
 * That mimics a deployment whose users skew towards one kind of face (age, ethnicity, gender
 * presentation) without us guessing anyone's attributes from a name or photo.
 */
import { seededRng } from "@facedrift/stats";
import { personOf } from "./dataset.ts";
import type { Pool } from "./pools.ts";

/** People of `pool` ranked by cosine of their mean embedding to the anchor's; the first `share` kept. */
export function subgroupPeople(pool: Pool, share: number, seed: number): Set<string> {
  const means = new Map<string, Float64Array>();
  pool.images.forEach((im, i) => {
    const person = personOf(im);
    const mean = means.get(person) ?? new Float64Array(pool.d);
    for (let t = 0; t < pool.d; t++) mean[t] = (mean[t] as number) + (pool.x[i * pool.d + t] as number);
    means.set(person, mean);
  });
  const people = [...means.keys()].sort();
  const anchor = means.get(people[Math.floor(seededRng(seed)() * people.length)] as string) as Float64Array;
  const cosine = (v: Float64Array) => {
    let dot = 0;
    let nv = 0;
    let na = 0;
    for (let t = 0; t < v.length; t++) {
      dot += (v[t] as number) * (anchor[t] as number);
      nv += (v[t] as number) ** 2;
      na += (anchor[t] as number) ** 2;
    }
    return dot / Math.sqrt(nv * na);
  };
  const ranked = people
    .map((p) => ({ p, c: cosine(means.get(p) as Float64Array) }))
    .sort((a, b) => b.c - a.c || (a.p < b.p ? -1 : 1));
  return new Set(ranked.slice(0, Math.max(1, Math.round(share * people.length))).map((r) => r.p));
}
