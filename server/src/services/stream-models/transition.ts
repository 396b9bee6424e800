/**
 * @module
 * A stream's model transition: set a candidate beside the current model, promote it, or drop it.
 * Each step is one transaction that locks the stream's rows first, so ingestion (which locks the
 * track row it writes to) and a concurrent step never see half a transition.
 */
import { sql } from "drizzle-orm";
import type { Database, Executor } from "../../db/database.ts";
import { queryRows } from "../../db/database.ts";
import { FacedriftError } from "../../errors.ts";
import { recordAudit } from "../audit/record.ts";
import { checkTrackModel, isTrackName, type ModelRef, trackName } from "./names.ts";
import { listTracks, type Track } from "./tracks.ts";

export interface CandidateInput {
  tenantId: number;
  stream: string;
  model: ModelRef;
  dimension: number;
  /** Share of faces also embedded with the candidate, (0, 1]; default 1. */
  samplingShare?: number;
  actor: string;
}

interface LockedStream {
  id: number;
  model_id: string;
  model_version: string;
  dimension: number;
  check_schedule: string | null;
}

/** Locks the stream's current row (the one carrying its name); 404/400 naming `stream`. */
async function lockCurrent(tx: Executor, tenantId: number, stream: string): Promise<LockedStream> {
  if (isTrackName(stream)) {
    throw new FacedriftError(
      "invalid_request",
      `stream: name the stream, not one of its model tracks ("${stream}")`,
      {
        field: "stream",
      },
    );
  }
  const [row] = await queryRows<LockedStream>(
    tx,
    sql`SELECT id::int AS id, model_id, model_version, dimension::int AS dimension, check_schedule
        FROM streams WHERE tenant_id = ${tenantId} AND name = ${stream} FOR UPDATE`,
  );
  if (!row) throw new FacedriftError("not_found", `stream "${stream}" does not exist`, { field: "stream" });
  return row;
}

/** The candidate's stream row, locked, or null. */
async function lockCandidate(tx: Executor, tenantId: number, stream: string) {
  const [row] = await queryRows<{ id: number; model_id: string; model_version: string; dimension: number }>(
    tx,
    sql`SELECT s.id::int AS id, s.model_id, s.model_version, s.dimension::int AS dimension
        FROM stream_models m JOIN streams s ON s.id = m.stream_id
        WHERE m.tenant_id = ${tenantId} AND m.stream_name = ${stream} AND m.role = 'candidate'
        FOR UPDATE OF s, m`,
  );
  return row ?? null;
}

function checkShare(share: number): void {
  if (!Number.isFinite(share) || share <= 0 || share > 1) {
    throw new FacedriftError("invalid_request", "samplingShare: must be above 0 and at most 1", {
      field: "samplingShare",
    });
  }
}

/**
 * Sets (or re-sets the sampling share of) the stream's candidate model. The candidate gets its own
 * stream row `stream~model@version` with the current row's check schedule and settings; a model
 * retired from this stream earlier comes back with its history and references.
 */
export async function setCandidate(database: Database, input: CandidateInput): Promise<Track[]> {
  const share = input.samplingShare ?? 1;
  checkTrackModel(input.model);
  checkShare(share);
  if (!Number.isInteger(input.dimension) || input.dimension < 1 || input.dimension > 16000) {
    throw new FacedriftError("invalid_request", "dimension: an integer from 1 to 16000", {
      field: "dimension",
    });
  }
  return database.db.transaction(async (tx) => {
    const current = await lockCurrent(tx, input.tenantId, input.stream);
    const same = (m: { model_id: string; model_version: string }) =>
      m.model_id === input.model.id && m.model_version === input.model.version;
    if (same(current)) {
      throw new FacedriftError(
        "conflict",
        `model: ${input.model.id}@${input.model.version} is already the current model of stream "${input.stream}"`,
        { field: "model" },
      );
    }
    const candidate = await lockCandidate(tx, input.tenantId, input.stream);
    if (candidate && !same(candidate)) {
      throw new FacedriftError(
        "conflict",
        `model: stream "${input.stream}" already has candidate ${candidate.model_id}@${candidate.model_version}; ` +
          "promote or drop it first",
        { field: "model" },
      );
    }
    const name = trackName(input.stream, input.model);
    const [existing] = await queryRows<{ id: number; dimension: number }>(
      tx,
      sql`SELECT id::int AS id, dimension::int AS dimension FROM streams
          WHERE tenant_id = ${input.tenantId} AND name = ${name} FOR UPDATE`,
    );
    if (existing && existing.dimension !== input.dimension) {
      throw new FacedriftError(
        "conflict",
        `dimension: ${input.model.id}@${input.model.version} ran on this stream with ${existing.dimension} dimensions, not ${input.dimension}`,
        { field: "dimension" },
      );
    }
    let trackId = existing?.id;
    if (trackId === undefined) {
      const [created] = await queryRows<{ id: number }>(
        tx,
        sql`INSERT INTO streams (tenant_id, name, model_id, model_version, dimension, check_schedule, settings)
            SELECT tenant_id, ${name}, ${input.model.id}, ${input.model.version}, ${input.dimension},
              check_schedule, settings
            FROM streams WHERE id = ${current.id}
            RETURNING id::int AS id`,
      );
      trackId = Number(created?.id);
    } else {
      // A retired model coming back resumes its scheduled checks.
      await tx.execute(
        sql`UPDATE streams SET check_schedule = ${current.check_schedule} WHERE id = ${trackId}`,
      );
    }
    await tx.execute(
      sql`INSERT INTO stream_models (stream_id, tenant_id, stream_name, role)
          VALUES (${current.id}, ${input.tenantId}, ${input.stream}, 'current')
          ON CONFLICT (stream_id) DO NOTHING`,
    );
    await tx.execute(
      sql`INSERT INTO stream_models (stream_id, tenant_id, stream_name, role, sampling_share)
          VALUES (${trackId}, ${input.tenantId}, ${input.stream}, 'candidate', ${share})
          ON CONFLICT (stream_id) DO UPDATE SET role = 'candidate', sampling_share = ${share}, retired_at = NULL`,
    );
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: "stream.candidate.set",
      target: `stream:${input.stream}`,
      details: {
        model: `${input.model.id}@${input.model.version}`,
        dimension: input.dimension,
        samplingShare: share,
      },
    });
    return listTracks(tx, input.tenantId, input.stream);
  });
}

export interface TransitionStep {
  tenantId: number;
  stream: string;
  actor: string;
  now?: Date;
}

/**
 * Makes the candidate the stream's current model: the old current row is renamed
 * `stream~model@version` and retired (its embeddings, references, runs and incidents stay with it,
 * readable under that name; its scheduled checks stop), and the candidate's row takes the stream's
 * name. The candidate must have an active reference, so the stream is never left unmonitored.
 */
export async function promoteCandidate(database: Database, input: TransitionStep): Promise<Track[]> {
  const now = (input.now ?? new Date()).toISOString();
  return database.db.transaction(async (tx) => {
    const current = await lockCurrent(tx, input.tenantId, input.stream);
    const candidate = await lockCandidate(tx, input.tenantId, input.stream);
    if (!candidate) {
      throw new FacedriftError("not_found", `stream "${input.stream}" has no candidate model`, {
        field: "candidate",
      });
    }
    const [reference] = await queryRows<{ version: number }>(
      tx,
      sql`SELECT version::int AS version FROM reference_sets WHERE stream_id = ${candidate.id} AND active`,
    );
    if (!reference) {
      const name = trackName(input.stream, { id: candidate.model_id, version: candidate.model_version });
      throw new FacedriftError(
        "conflict",
        `candidate: ${candidate.model_id}@${candidate.model_version} has no active reference; fit one on "${name}" before promoting it`,
        { field: "candidate" },
      );
    }
    const retiredName = trackName(input.stream, { id: current.model_id, version: current.model_version });
    await tx.execute(
      sql`UPDATE streams SET name = ${retiredName}, check_schedule = NULL WHERE id = ${current.id}`,
    );
    await tx.execute(sql`UPDATE streams SET name = ${input.stream} WHERE id = ${candidate.id}`);
    await tx.execute(
      sql`UPDATE stream_models SET role = 'retired', retired_at = ${now}::timestamptz WHERE stream_id = ${current.id}`,
    );
    await tx.execute(
      sql`UPDATE stream_models SET role = 'current', promoted_at = ${now}::timestamptz, sampling_share = 1
          WHERE stream_id = ${candidate.id}`,
    );
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: "stream.candidate.promote",
      target: `stream:${input.stream}`,
      details: {
        model: `${candidate.model_id}@${candidate.model_version}`,
        retired: `${current.model_id}@${current.model_version}`,
        reference: reference.version,
      },
    });
    return listTracks(tx, input.tenantId, input.stream);
  });
}

/**
 * Ends the transition without a switch: the candidate is retired (its data stays readable under its
 * track name until retention removes it; its scheduled checks stop).
 */
export async function dropCandidate(database: Database, input: TransitionStep): Promise<Track[]> {
  const now = (input.now ?? new Date()).toISOString();
  return database.db.transaction(async (tx) => {
    await lockCurrent(tx, input.tenantId, input.stream);
    const candidate = await lockCandidate(tx, input.tenantId, input.stream);
    if (!candidate) {
      throw new FacedriftError("not_found", `stream "${input.stream}" has no candidate model`, {
        field: "candidate",
      });
    }
    await tx.execute(sql`UPDATE streams SET check_schedule = NULL WHERE id = ${candidate.id}`);
    await tx.execute(
      sql`UPDATE stream_models SET role = 'retired', retired_at = ${now}::timestamptz WHERE stream_id = ${candidate.id}`,
    );
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: "stream.candidate.drop",
      target: `stream:${input.stream}`,
      details: { model: `${candidate.model_id}@${candidate.model_version}` },
    });
    return listTracks(tx, input.tenantId, input.stream);
  });
}
