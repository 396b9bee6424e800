/**
 * @module
 * Ingest request bodies for the load test. Item ids are `r<request>-<index>`, so every request
 * carries ids no other request uses and the stored rows can be traced back to the request that
 * sent them. The vectors are a small pool of seeded base64 strings built once: the client shares
 * the machine with the server, and encoding floats per request would be load-generator work, not
 * server work.
 */

export interface BodyShape {
  /** Items per request. */
  batch: number;
  /** Floats per embedding. */
  dim: number;
}

export const LOAD_MODEL = { id: "load-test", version: "1" } as const;

/** `r<request>-<index>` (target.ts parses it back in SQL). */
export const loadItemId = (request: number, index: number) => `r${request}-${index}`;

const POOL = 64;

/** A seeded LCG (Numerical Recipes), so every run sends the same vectors. */
function vectorPool(dim: number): string[] {
  let x = 12345;
  return Array.from({ length: POOL }, () => {
    const v = new Float32Array(dim);
    for (let i = 0; i < dim; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      v[i] = x / 2 ** 32 - 0.5;
    }
    return Buffer.from(v.buffer).toString("base64");
  });
}

/** Returns a builder of request `n`'s JSON body (base64 float32 embeddings). */
export function bodyBuilder(shape: BodyShape): (request: number) => string {
  const pool = vectorPool(shape.dim);
  const head = `{"model":${JSON.stringify(LOAD_MODEL)},"items":[`;
  return (request) => {
    const items: string[] = new Array(shape.batch);
    const ts = 1_790_000_000_000 + request;
    for (let i = 0; i < shape.batch; i++) {
      items[i] =
        `{"id":"${loadItemId(request, i)}","ts":${ts},"embedding_b64":"${pool[(request + i) % POOL]}"}`;
    }
    return `${head}${items.join(",")}]}`;
  };
}
