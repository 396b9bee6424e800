/**
 * @module
 * Stored verification runs: the row a run writes, and the tenant's runs newest first (the
 * dashboard's AUC/EER history), with the keyset paging of the other listings.
 */
import { and, desc, eq, gte, lt, lte } from "drizzle-orm";
import type { Executor } from "../db/database.ts";
import { streams } from "../db/schema/stream.ts";
import { verificationRuns } from "../db/schema/verification-run.ts";
import { type Page, pageOf } from "../services/paging.ts";

export interface VerificationRunView {
  id: number;
  /** The stream the run was tied to, if any (null also once that stream was deleted). */
  stream: string | null;
  model: { id: string; version: string };
  /** Pairs scored. */
  pairs: number;
  skipped: Array<{ left: string; right: string; reason: string }>;
  auc: number;
  eer: number;
  tarAtFar: Record<string, number>;
  details: Record<string, unknown>;
  createdAt: string;
}

export interface VerificationRunQuery {
  tenantId: number;
  stream?: string;
  model?: string;
  from?: Date;
  to?: Date;
  before?: number;
  limit: number;
}

export async function listVerificationRuns(
  db: Executor,
  query: VerificationRunQuery,
): Promise<Page<VerificationRunView>> {
  const rows = await db
    .select({ run: verificationRuns, stream: streams.name })
    .from(verificationRuns)
    .leftJoin(streams, eq(streams.id, verificationRuns.streamId))
    .where(
      and(
        eq(verificationRuns.tenantId, query.tenantId),
        query.stream !== undefined ? eq(streams.name, query.stream) : undefined,
        query.model !== undefined ? eq(verificationRuns.modelId, query.model) : undefined,
        query.from ? gte(verificationRuns.createdAt, query.from) : undefined,
        query.to ? lte(verificationRuns.createdAt, query.to) : undefined,
        query.before !== undefined ? lt(verificationRuns.id, query.before) : undefined,
      ),
    )
    .orderBy(desc(verificationRuns.id))
    .limit(query.limit + 1);
  return pageOf(
    rows.map(({ run, stream }) => ({
      id: Number(run.id),
      stream,
      model: { id: run.modelId, version: run.modelVersion },
      pairs: run.pairs,
      skipped: run.skipped,
      auc: run.auc,
      eer: run.eer,
      tarAtFar: run.tarAtFar,
      details: run.details,
      createdAt: new Date(run.createdAt).toISOString(),
    })),
    query.limit,
  );
}
