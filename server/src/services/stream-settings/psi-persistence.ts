import { and, desc, eq, lt } from "drizzle-orm";
import { psiPersists } from "../../alerts/rules.ts";
import type { Executor } from "../../db/database.ts";
import { driftRuns } from "../../db/schema/drift-run.ts";
import type { PsiPersistence } from "./settings.ts";

/**
 * Whether the stream's PSI has stayed at or above the threshold on one dimension for the last
 * `rule.runs` runs, this one (`current`, its PSI per component) included. Earlier runs count only
 * if they succeeded against the same reference: PSI bins belong to a reference, so values
 * measured against another are not the same quantity.
 */
export async function psiPersistsThroughRun(
  db: Executor,
  run: { streamId: number; runId: number; referenceSetId: number; current: readonly number[] },
  rule: PsiPersistence,
): Promise<{ fires: boolean; dimensions: number[] }> {
  const earlier =
    rule.runs <= 1
      ? []
      : await db
          .select({ results: driftRuns.results })
          .from(driftRuns)
          .where(
            and(
              eq(driftRuns.streamId, run.streamId),
              eq(driftRuns.referenceSetId, run.referenceSetId),
              eq(driftRuns.status, "succeeded"),
              lt(driftRuns.id, run.runId),
            ),
          )
          .orderBy(desc(driftRuns.id))
          .limit(rule.runs - 1);
  const history = earlier
    .map((row) => ({ psi: psiValues(row.results) }))
    .reverse()
    .concat({ psi: [...run.current] });
  return psiPersists(history, { threshold: rule.threshold, runs: rule.runs });
}

/** `results.psi.values` as the batch run stores it; anything else reads as no PSI. */
function psiValues(results: Record<string, unknown>): number[] {
  const psi = results.psi as { values?: unknown } | undefined;
  return Array.isArray(psi?.values) ? psi.values.filter((v): v is number => typeof v === "number") : [];
}
