/**
 * @module
 * Public ids (issue 14): what the API shows instead of a row's id. Row ids come from sequences
 * shared by every tenant, so a tenant that saw its alert ids go 12, 40, 41 would learn that other
 * tenants raised 27 alerts in between. The API shows each id as a keyed pseudorandom permutation
 * of it instead: an 8-round Feistel network over 52 bits whose round function is AES-256 under
 * the database's key (`id_keys`, made by migration 0014), tweaked by the id's kind. Public
 * ids are integers in [1, 2^52] (exact in JSON and JavaScript), distinct for distinct rows,
 * decoded back to the row id on the way in, and say nothing about how many rows exist.
 *
 * Why a permutation and not a random public id stored beside each row: nothing to store, join
 * or backfill, the rows' order and the cursors keep working on the row ids, and every replica
 * reading the same database shows the same ids. The key lives in the database, so ids stay
 * stable across restarts and replicas; anyone who can read the database can read every row id
 * anyway.
 */
import { type Cipheriv, createCipheriv } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Executor } from "../db/database.ts";
import { idKeys } from "../db/schema/id-key.ts";

/** Every kind of row the API names by id; each kind is its own permutation. */
export const ID_KINDS = [
  "tenant",
  "user",
  "api-key",
  "image-job",
  "verification-job",
  "reference",
  "drift-run",
  "drift-event",
  "incident",
  "alert",
  "alert-delivery",
  "alert-channel",
  "verification-run",
] as const;
export type IdKind = (typeof ID_KINDS)[number];

const HALF_BITS = 26;
const HALF = 2 ** HALF_BITS;
const MASK = HALF - 1;
/** Row ids and permuted values live in [0, 2^52). */
export const ID_SPACE = HALF * HALF;
const ROUNDS = 8;

export class PublicIds {
  /** AES-256 in ECB mode on one 16-byte block per round: a keyed PRF, and stateless per block. */
  readonly #aes: Cipheriv;
  readonly #block = Buffer.alloc(16);
  /** Recently encoded ids: listings repeat the same few (stream, reference, incident). */
  readonly #cache = new Map<string, number>();

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new Error("public ids: the id key must have 32 bytes");
    this.#aes = createCipheriv("aes-256-ecb", key, null).setAutoPadding(false);
  }

  #round(kind: IdKind, round: number, half: number): number {
    const block = this.#block;
    block.fill(0);
    block.writeUInt8(ID_KINDS.indexOf(kind), 0);
    block.writeUInt8(round, 1);
    block.writeUInt32BE(half, 2);
    return this.#aes.update(block).readUInt32BE(0) & MASK;
  }

  /** The public id of row `id` of `kind`. */
  encode(kind: IdKind, id: number): number {
    if (!Number.isSafeInteger(id) || id < 1 || id >= ID_SPACE) {
      throw new Error(`public ids: ${kind} id ${id} is outside [1, 2^52)`);
    }
    const cacheKey = `${kind}:${id}`;
    const cached = this.#cache.get(cacheKey);
    if (cached !== undefined) return cached;
    let left = Math.floor(id / HALF);
    let right = id % HALF;
    for (let round = 0; round < ROUNDS; round++) {
      [left, right] = [right, (left ^ this.#round(kind, round, right)) >>> 0];
    }
    // +1: the permutation may map a row id to 0, and ids are ≥ 1.
    const publicId = left * HALF + right + 1;
    if (this.#cache.size >= 4096) this.#cache.clear();
    this.#cache.set(cacheKey, publicId);
    return publicId;
  }

  /** The row id behind a public id, or null when no row id maps to it. */
  decode(kind: IdKind, publicId: number): number | null {
    if (!Number.isSafeInteger(publicId) || publicId < 1 || publicId > ID_SPACE) return null;
    const permuted = publicId - 1;
    let left = Math.floor(permuted / HALF);
    let right = permuted % HALF;
    for (let round = ROUNDS - 1; round >= 0; round--) {
      [left, right] = [(right ^ this.#round(kind, round, left)) >>> 0, left];
    }
    const id = left * HALF + right;
    return id >= 1 ? id : null;
  }
}

const loaded = new WeakMap<object, Promise<PublicIds>>();

/** The database's public ids, read once per database handle (a failed read is retried next time). */
export function publicIdsOf(db: Executor): Promise<PublicIds> {
  let pending = loaded.get(db);
  if (!pending) {
    pending = db
      .select({ key: idKeys.key })
      .from(idKeys)
      .where(eq(idKeys.id, 1))
      .then(([row]) => {
        if (!row) throw new Error("public ids: id_keys has no key (migration 0014 not applied?)");
        return new PublicIds(row.key);
      });
    pending.catch(() => loaded.delete(db));
    loaded.set(db, pending);
  }
  return pending;
}
