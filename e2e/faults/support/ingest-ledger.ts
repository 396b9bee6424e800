/**
 * @module
 * The client side every fault test shares: batches under ids made once, a ledger of what the
 * server acknowledged, and a paged read-back of what it stored, checked for exactly-once.
 */
import type { ServeProcess } from "../../support/serve-process.ts";

/** A batch request's item ids: `r<request>-<index>`, unique across the test. */
export const itemIds = (request: number, size: number): string[] =>
  Array.from({ length: size }, (_, i) => `r${request}-${i}`);

/** The JSON body of one ingest request of `size` small unit vectors. */
export function batchBody(request: number, size: number, dim = 16): string {
  const items = itemIds(request, size).map((id, i) => {
    const v = new Float32Array(dim);
    v[(request + i) % dim] = 1;
    return {
      id,
      ts: 1_790_000_000_000 + request * 1000 + i,
      embedding_b64: Buffer.from(v.buffer).toString("base64"),
    };
  });
  return JSON.stringify({ model: { id: "fault", version: "1" }, items });
}

/** Every stored item id of a stream, in seq order, read through the API page by page. */
export async function storedIds(server: ServeProcess, stream: string): Promise<string[]> {
  const ids: string[] = [];
  let after = 0;
  for (;;) {
    const response = await server.api(`/v1/streams/${stream}/embeddings?limit=1000&after_seq=${after}`);
    if (response.status === 404) return ids;
    if (!response.ok) throw new Error(`listing ${stream}: HTTP ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { items: { id: string }[]; nextAfterSeq: number | null };
    ids.push(...page.items.map((item) => item.id));
    if (page.nextAfterSeq === null || page.items.length === 0) return ids;
    after = page.nextAfterSeq;
  }
}

/**
 * Checks the exactly-once contract over what a client saw: each acknowledged request's items are
 * stored once; each request that got no answer (or an error) is stored whole or not at all.
 * Returns the problems found (empty when the contract holds).
 */
export function exactlyOnceProblems(
  stored: readonly string[],
  requests: ReadonlyMap<number, { size: number; acknowledged: boolean }>,
): string[] {
  const counts = new Map<string, number>();
  for (const id of stored) counts.set(id, (counts.get(id) ?? 0) + 1);
  const problems: string[] = [];
  for (const [id, n] of counts) if (n > 1) problems.push(`${id} stored ${n} times`);
  const known = new Set<string>();
  for (const [request, { size, acknowledged }] of requests) {
    const ids = itemIds(request, size);
    for (const id of ids) known.add(id);
    const present = ids.filter((id) => counts.has(id)).length;
    if (acknowledged && present !== size)
      problems.push(`request ${request} was acknowledged but ${present}/${size} items are stored`);
    if (!acknowledged && present !== 0 && present !== size)
      problems.push(`request ${request} (unacknowledged) is partly stored: ${present}/${size}`);
  }
  for (const id of counts.keys()) if (!known.has(id)) problems.push(`${id} was never sent`);
  return problems;
}
