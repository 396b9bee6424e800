import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import type { Database } from "../../db/database.ts";
import { FacedriftError } from "../../errors.ts";
import { exportReference, importReference } from "../../services/references/file.ts";
import { fitReference, type ReferenceSource } from "../../services/references/fit.ts";
import { activateReference, getReference, listReferences } from "../../services/references/view.ts";
import { getStream } from "../../services/streams/get.ts";
import type { StreamView } from "../../services/streams/view.ts";
import { findTenant } from "../../services/tenants/default.ts";
import { parseCount, printJson, readItemsFile, tenantOption, windowFrom } from "../batch/args.ts";
import { withDatabase } from "../database.ts";
import { configFrom, databaseOptions } from "../options.ts";
import { callServer, serverOptions } from "../remote.ts";

interface StreamOptions {
  tenant: string;
  stream: string;
  dataDir?: string;
  databaseUrl?: string;
}

/** Opens the database, resolves the tenant's stream (404-style message if absent) and runs `work`. */
async function inStream<T>(
  options: StreamOptions,
  work: (ctx: { database: Database; tenantId: number; stream: StreamView }) => Promise<T>,
): Promise<T> {
  return withDatabase(configFrom(options), async (database) => {
    const tenantId = await findTenant(database.db, options.tenant);
    return work({ database, tenantId, stream: await getStream(database.db, tenantId, options.stream) });
  });
}

/** `reference fit --server URL`: the same fit by the running server (`POST …/reference`). */
async function fitThroughServer(options: Record<string, string | boolean | undefined>): Promise<unknown> {
  const window = windowFrom(options as { last?: string; from?: string; to?: string });
  const count = (name: string) =>
    options[name] === undefined ? undefined : parseCount(String(options[name]), name);
  const body: Record<string, unknown> = {
    options: {
      seed: Number(options.seed),
      components: count("components"),
      max_vectors: count("maxVectors"),
    },
    description: options.description,
    activate: options.activate,
  };
  if (options.file !== undefined) {
    if (window)
      throw new FacedriftError("invalid_request", "give --file or a window, not both", { field: "file" });
    if (options.model === undefined)
      throw new FacedriftError("invalid_request", "--model id@version is required with --file and --server", {
        field: "model",
      });
    const [id, version] = String(options.model).split("@");
    body.model = { id, version };
    body.items = await readItemsFile(String(options.file));
  } else if (window && "last" in window) {
    body.last = window.last;
  } else if (window) {
    body.window = { from: window.from.toISOString(), to: window.to.toISOString() };
  } else {
    throw new FacedriftError("invalid_request", "give --from/--to, --last or --file", { field: "from" });
  }
  const stream = encodeURIComponent(String(options.stream));
  return callServer(
    { server: String(options.server), apiKey: options.apiKey as string | undefined },
    "POST",
    `v1/streams/${stream}/reference`,
    body,
  );
}

/** `facedrift reference fit|list|show|activate|export|import`, on the database directly. */
export function registerReference(program: Command): void {
  const reference = program.command("reference").description("manage a stream's reference versions");
  const cmd = (name: string, description: string) =>
    databaseOptions(reference.command(name).description(description))
      .requiredOption("--stream <name>", "stream name")
      .option(...tenantOption);
  serverOptions(
    cmd("fit", "fit, calibrate and activate a new version from --from/--to, --last N or --file items.ndjson"),
  )
    .option("--from <time>", "window start (receive time, inclusive)")
    .option("--to <time>", "window end (exclusive)")
    .option("--last <n>", "the stream's latest N embeddings")
    .option("--file <path>", "reference items, one JSON object per line (ingestion's item format)")
    .option("--model <id@version>", "the items' model (default: the stream's)")
    .option("--seed <n>", "seed of every random choice", "0")
    .option("--components <n>", "PCA components (default 10)")
    .option("--max-vectors <n>", "most vectors kept for kNN novelty (default 20000)")
    .option("--description <text>", "what this reference is")
    .option("--no-activate", "store without activating")
    .action(async (options) => {
      if (options.server) {
        printJson(await fitThroughServer(options));
        return;
      }
      await inStream(options, async ({ database, tenantId, stream }) => {
        const window = windowFrom(options);
        let source: ReferenceSource;
        if (options.file !== undefined) {
          if (window)
            throw new FacedriftError("invalid_request", "give --file or a window, not both", {
              field: "file",
            });
          const [id, version] = String(options.model ?? `${stream.model.id}@${stream.model.version}`).split(
            "@",
          );
          source = {
            model: { id: id ?? "", version: version ?? "" },
            items: await readItemsFile(options.file),
          };
        } else if (window) {
          source = window;
        } else {
          throw new FacedriftError("invalid_request", "give --from/--to, --last or --file", {
            field: "from",
          });
        }
        printJson(
          await fitReference(database, {
            tenantId,
            stream: stream.name,
            source,
            options: {
              seed: Number(options.seed),
              components:
                options.components === undefined ? undefined : parseCount(options.components, "components"),
              maxVectors:
                options.maxVectors === undefined ? undefined : parseCount(options.maxVectors, "max-vectors"),
              description: options.description,
              activate: options.activate,
            },
          }),
        );
      });
    });

  cmd("list", "list versions, newest first (* = active)").action(async (options) => {
    await inStream(options, async ({ database, stream }) => {
      for (const r of await listReferences(database.db, stream.id)) {
        const explained = r.explained_variance_ratio.reduce((s, v) => s + v, 0);
        console.log(
          [
            `${r.active ? "*" : " "}v${r.version}`,
            r.created_at,
            `${r.vector_count} vectors`,
            `EVR ${explained.toFixed(3)}`,
            `knn ${r.knn_threshold?.toFixed(4) ?? "-"}`,
            r.description ?? "",
          ].join("\t"),
        );
      }
    });
  });

  cmd("show", "one version as JSON (without vectors)")
    .argument("<version>", "version number")
    .action(async (version: string, options) => {
      await inStream(options, async ({ database, stream }) => {
        printJson(await getReference(database.db, stream.id, parseCount(version, "version")));
      });
    });

  cmd("activate", "make a version the active one (the others are kept)")
    .argument("<version>", "version number")
    .action(async (version: string, options) => {
      await inStream(options, async ({ database, stream }) => {
        const r = await activateReference(database.db, stream.id, parseCount(version, "version"));
        console.log(`stream ${stream.name}: reference v${r.version} is active`);
      });
    });

  cmd("export", "write a version as one JSON file")
    .argument("<version>", "version number")
    .requiredOption("--out <path>", "file to write")
    .action(async (version: string, options) => {
      await inStream(options, async ({ database, stream }) => {
        const file = await exportReference(database, stream, parseCount(version, "version"));
        await writeFile(options.out, JSON.stringify(file));
        process.stderr.write(
          `wrote ${stream.name} reference v${version} (${file.vectors.count} vectors) to ${options.out}\n`,
        );
      });
    });

  cmd("import", "store an exported file as the next version")
    .argument("<file>", "an exported reference file")
    .option("--no-activate", "store without activating")
    .action(async (path: string, options) => {
      await inStream(options, async ({ database, stream }) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(await readFile(path, "utf8"));
        } catch (error) {
          throw new FacedriftError("invalid_json", `${path} is not JSON: ${(error as Error).message}`);
        }
        const { version } = await importReference(database, stream, parsed, { activate: options.activate });
        console.log(
          `stream ${stream.name}: imported ${path} as reference v${version}${options.activate ? " (active)" : ""}`,
        );
      });
    });
}
