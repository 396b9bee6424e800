/**
 * @module
 * `facedrift stream models|candidate set|promote|drop`: a stream's model transition, on the
 * database directly or, with `--server`, through a running server's API (the same services).
 */
import { CATALOG } from "@facedrift/models/registry";
import type { Command } from "commander";
import type { Database } from "../../db/database.ts";
import { FacedriftError } from "../../errors.ts";
import { streamOf } from "../../services/stream-models/names.ts";
import { listTracks, publicTrack, type Track } from "../../services/stream-models/tracks.ts";
import { dropCandidate, promoteCandidate, setCandidate } from "../../services/stream-models/transition.ts";
import { findTenant } from "../../services/tenants/default.ts";
import { printJson, tenantOption } from "../batch/args.ts";
import { withDatabase } from "../database.ts";
import { configFrom, databaseOptions, integerIn, numberIn } from "../options.ts";
import { callServer, serverOptions } from "../remote.ts";

interface Options {
  tenant: string;
  stream: string;
  dataDir?: string;
  databaseUrl?: string;
  server?: string;
  apiKey?: string;
}

/** `id@version`; a built-in model's dimension comes from the registry when not given. */
export function parseModelOption(value: string, dimension?: number) {
  const at = value.lastIndexOf("@");
  if (at <= 0 || at === value.length - 1) {
    throw new FacedriftError("invalid_request", `--model: give id@version, not "${value}"`, {
      field: "model",
    });
  }
  const model = { id: value.slice(0, at), version: value.slice(at + 1) };
  const entry = CATALOG[model.id];
  const known = entry && entry.version === model.version ? entry.output?.dimension : undefined;
  const resolved = dimension ?? known;
  if (resolved === undefined) {
    throw new FacedriftError(
      "invalid_request",
      `--dimension: ${value} is not a built-in model of that version, so give its dimension`,
      { field: "dimension" },
    );
  }
  return { model, dimension: resolved };
}

/** Runs `local` on the database, or `remote` (method and path below the stream) on `--server`. */
async function run(
  options: Options,
  remote: { method: string; path: string; body?: unknown },
  local: (database: Database, tenantId: number) => Promise<Track[]>,
): Promise<void> {
  if (options.server) {
    const stream = encodeURIComponent(options.stream);
    printJson(
      await callServer(
        { server: options.server, ...(options.apiKey ? { apiKey: options.apiKey } : {}) },
        remote.method,
        `v1/streams/${stream}/${remote.path}`,
        remote.body,
      ),
    );
    return;
  }
  await withDatabase(configFrom(options), async (database) => {
    const tenantId = await findTenant(database.db, options.tenant);
    const tracks = await local(database, tenantId);
    printJson({ stream: streamOf(options.stream), tracks: tracks.map(publicTrack) });
  });
}

export function registerStream(program: Command): void {
  const stream = program
    .command("stream")
    .description("a stream's models: run a candidate beside the current one");
  const cmd = (parent: Command, name: string, description: string) =>
    serverOptions(
      databaseOptions(parent.command(name).description(description))
        .requiredOption("--stream <name>", "stream name")
        .option(...tenantOption),
    );

  cmd(stream, "models", "the stream's model tracks (current, candidate, retired) as JSON").action(
    async (options: Options) => {
      await run(options, { method: "GET", path: "models" }, (database, tenantId) =>
        listTracks(database.db, tenantId, options.stream),
      );
    },
  );

  const candidate = stream
    .command("candidate")
    .description("set, promote or drop the stream's candidate model");
  cmd(candidate, "set", "run --model beside the current model (its own reference, detectors and incidents)")
    .requiredOption("--model <id@version>", "the candidate model")
    .option(
      "--dimension <n>",
      "its embeddings' dimension (default: the built-in model's)",
      integerIn(1, 16_000),
    )
    .option("--share <x>", "share of faces also embedded with it, (0, 1]", numberIn(0, 1), 1)
    .action(async (options: Options & { model: string; dimension?: number; share: number }) => {
      const { model, dimension } = parseModelOption(options.model, options.dimension);
      if (options.share <= 0) {
        throw new FacedriftError("invalid_request", "--share: must be above 0", { field: "share" });
      }
      const body = { model, dimension, samplingShare: options.share };
      await run(options, { method: "POST", path: "candidate", body }, (database, tenantId) =>
        setCandidate(database, { tenantId, stream: options.stream, ...body, actor: "cli" }),
      );
    });
  cmd(candidate, "promote", "make the candidate current; the old model's history stays readable").action(
    async (options: Options) => {
      await run(options, { method: "POST", path: "candidate/promote" }, (database, tenantId) =>
        promoteCandidate(database, { tenantId, stream: options.stream, actor: "cli" }),
      );
    },
  );
  cmd(candidate, "drop", "retire the candidate without switching").action(async (options: Options) => {
    await run(options, { method: "DELETE", path: "candidate" }, (database, tenantId) =>
      dropCandidate(database, { tenantId, stream: options.stream, actor: "cli" }),
    );
  });
}
