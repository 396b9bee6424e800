/**
 * @module
 * Verification runs (labelled pairs through the face pipeline): AUC, EER and TAR@FAR over time.
 */
import { api } from "./client.ts";

export interface VerificationRun {
  id: number;
  stream: string | null;
  model: { id: string; version: string };
  pairs: number;
  skipped: { left: string; right: string; reason: string }[];
  auc: number;
  eer: number;
  tarAtFar: Record<string, number>;
  details: Record<string, unknown>;
  createdAt: string;
}

export interface VerificationPage {
  items: VerificationRun[];
  nextBefore: number | null;
}

export function listVerificationRuns(
  query: { stream?: string; model?: string; limit?: number } = {},
  doFetch?: typeof fetch,
): Promise<VerificationPage> {
  const params = new URLSearchParams({ limit: String(query.limit ?? 200) });
  if (query.stream) params.set("stream", query.stream);
  if (query.model) params.set("model", query.model);
  return api<VerificationPage>(`/v1/verification-runs?${params}`, doFetch ? { fetch: doFetch } : {});
}

/** `model id@version`, the key runs are grouped by. */
export const modelKey = (run: Pick<VerificationRun, "model">): string =>
  `${run.model.id}@${run.model.version}`;

/** Runs grouped by model, each group oldest first (for a history chart). */
export function historyByModel(runs: readonly VerificationRun[]): Map<string, VerificationRun[]> {
  const groups = new Map<string, VerificationRun[]>();
  for (const run of [...runs].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
    const key = modelKey(run);
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return groups;
}
