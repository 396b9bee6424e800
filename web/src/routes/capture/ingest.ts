/**
 * @module
 * One ingest request (`POST /v1/streams/{stream}/embeddings`) and what its answer means for the
 * outbox. Only a 400 that names an item discards that item: it would fail forever and block the
 * queue. Everything else (network, 5xx, 401/403, 409…) keeps the items and backs off, because it
 * can be fixed by time or by configuration without losing faces.
 */
import type { IngestItem } from "./outbox.ts";
import { type Transition, transitionOf } from "./transition.ts";

export type SendResult =
  | {
      kind: "stored";
      accepted: number;
      duplicates: number;
      /** The stream's model transition, when it has had one (`transition.ts`). */
      transition?: Transition;
    }
  | { kind: "retry"; message: string }
  | { kind: "rejected-item"; item: number; message: string };

export interface SendRequest {
  /** Empty for this app's own origin. */
  apiBase: string;
  apiKey: string;
  stream: string;
  model: { id: string; version: string };
  items: readonly IngestItem[];
}

/** Base64 of the vector as little-endian float32, the server's `embedding_b64`. */
export function encodeEmbedding(vector: Float32Array): string {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i] as number, true);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export async function sendBatch(request: SendRequest, fetcher: typeof fetch = fetch): Promise<SendResult> {
  if (!request.apiKey) return { kind: "retry", message: "no API key: enter one in the settings" };
  const url = `${request.apiBase}/v1/streams/${encodeURIComponent(request.stream)}/embeddings`;
  let response: Response;
  try {
    response = await fetcher(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${request.apiKey}` },
      body: JSON.stringify({ model: request.model, items: request.items }),
    });
  } catch (error) {
    return { kind: "retry", message: `network: ${error instanceof Error ? error.message : String(error)}` };
  }
  const body = (await response.json().catch(() => null)) as {
    accepted?: number;
    duplicates?: number;
    error?: { message?: string; item?: number };
  } | null;
  if (response.ok) {
    const transition = transitionOf(body);
    return {
      kind: "stored",
      accepted: body?.accepted ?? 0,
      duplicates: body?.duplicates ?? 0,
      ...(transition ? { transition } : {}),
    };
  }
  const message = `HTTP ${response.status}: ${body?.error?.message ?? response.statusText}`;
  const item = body?.error?.item;
  if (response.status === 400 && typeof item === "number") return { kind: "rejected-item", item, message };
  return { kind: "retry", message };
}
