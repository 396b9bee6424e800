/**
 * @module
 * Reads a request body as it arrives and stops at a byte limit. Hono's `bodyLimit` buffers a
 * chunked body whole before the route runs, that is before the credential is checked: 120
 * unauthenticated clients sending 15 MiB each grew the server by 2 GB. Reading only once the
 * route's own middleware (authentication) has passed, and only up to the limit, bounds that.
 */
import type { FacedriftError } from "../../errors.ts";

/** The declared length, when the client sent a usable `Content-Length`. */
export function declaredLength(headers: Headers): number | undefined {
  const raw = headers.get("content-length");
  if (raw === null || !/^\d+$/.test(raw.trim())) return undefined;
  return Number(raw);
}

/**
 * The whole body, failing with `payload_too_large` as soon as more than `limit` bytes arrived (or
 * were announced). What was not read is left to the server adapter, which drains it briefly and
 * closes the connection.
 */
export async function readLimited(
  request: Request,
  limit: number,
  tooLarge: () => FacedriftError,
): Promise<Uint8Array> {
  const announced = declaredLength(request.headers);
  if (announced !== undefined && announced > limit) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
