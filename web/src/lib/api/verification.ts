/**
 * @module
 * Verification runs (labelled pairs through the face pipeline): AUC, EER and TAR@FAR over time.
 */
import { api } from "./client.ts";
import type { Schema } from "./schemas.ts";

export type VerificationRun = Schema<"VerificationRun">;
export type VerificationPage = Schema<"VerificationRunPage">;

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

/** A verification run queued on the server's labelled set, run by a replica (`/v1/verification-jobs`). */
export type VerificationJob = Schema<"VerificationJob">;

export async function listVerificationJobs(doFetch?: typeof fetch): Promise<VerificationJob[]> {
  const page = await api<{ items: VerificationJob[] }>(
    "/v1/verification-jobs?limit=10",
    doFetch ? { fetch: doFetch } : {},
  );
  return page.items;
}

export function queueVerification(body: { stream?: string; limit?: number }): Promise<VerificationJob> {
  return api<VerificationJob>("/v1/verification-jobs", { method: "POST", body });
}

/** Queued or running: the page keeps polling while any job is. */
export const isActive = (job: Pick<VerificationJob, "status">): boolean =>
  job.status === "queued" || job.status === "running";

/** What a job row says about its progress, e.g. "412 / 2,000 images · about 3 min left". */
export function progressText(job: Pick<VerificationJob, "status" | "progress">): string {
  if (job.status === "queued") return "waiting for a replica";
  const p = job.progress;
  if (!p) return job.status === "running" ? "loading models" : "—";
  const images = `${p.done.toLocaleString()} / ${p.total.toLocaleString()} images`;
  if (job.status !== "running" || p.done >= p.total) return images;
  const minutes = p.etaMs / 60_000;
  const eta = minutes < 1 ? "under a minute" : `about ${Math.round(minutes)} min`;
  return `${images} · ${eta} left`;
}
