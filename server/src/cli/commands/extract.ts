import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Command } from "commander";
import { printJson } from "../batch/args.ts";
import { badArgument, parseChoice, progressLine, withArgumentErrors } from "../verification/args.ts";

/**
 * `facedrift extract --images DIR --out FILE`: every image under DIR (recursively) through the
 * face pipeline, one NDJSON line per face (`path, face, model, embedding_b64, quality, box`) or
 * one `{path, error}` line per image that gave none. `--out -` writes the lines to stdout;
 * otherwise a JSON summary goes to stdout. Progress on stderr.
 */
export function registerExtract(program: Command): void {
  program
    .command("extract")
    .description("embed every face of a folder of photos to NDJSON, with quality signals")
    .requiredOption("--images <dir>", "folder of .jpg/.jpeg/.png/.webp files (searched recursively)")
    .requiredOption("--out <file>", "NDJSON output file, or - for stdout")
    .option("--model <id>", "embedder: a catalogue id or a manifest .json (default: the registry's default)")
    .option("--faces <policy>", "all: every face; central: the one nearest the image centre", "all")
    .action((options) =>
      withArgumentErrors("extract", async () => {
        // Loaded here, not at the top: the face models' modules would slow every other command's start.
        const { extractEmbeddings } = await import("../../verification/extract.ts");
        const { listImages } = await import("../../verification/images.ts");
        const faces = parseChoice(options.faces, "faces", ["all", "central"] as const);
        if (
          !(await stat(options.images).then(
            (s) => s.isDirectory(),
            () => false,
          ))
        ) {
          throw badArgument("images", `${options.images} is not a directory`);
        }
        const images = await listImages(options.images);
        if (images.length === 0)
          throw badArgument("images", `${options.images} holds no .jpg, .png or .webp file`);
        // Load the models before creating the output, so a bad --model leaves no empty file behind.
        const { loadFaceStages } = await import("../../verification/pipeline.ts");
        await loadFaceStages(options.model);
        const toStdout = options.out === "-";
        const out = toStdout ? process.stdout : createWriteStream(options.out);
        if (!toStdout)
          await once(out, "open").catch((error: Error) => {
            throw badArgument("out", `${options.out}: ${error.message}`);
          });
        const counts = { images: images.length, faces: 0, errors: 0 };
        let model: { id: string; version: string } | undefined;
        for await (const record of extractEmbeddings({
          imagesDir: options.images,
          images,
          faces,
          onProgress: progressLine("extract"),
          ...(options.model ? { model: options.model } : {}),
        })) {
          if ("error" in record) counts.errors++;
          else {
            counts.faces++;
            model = record.model;
          }
          if (!out.write(`${JSON.stringify(record)}\n`)) await once(out, "drain");
        }
        if (toStdout) return;
        out.end();
        await once(out, "finish");
        printJson({ out: options.out, model: model ?? null, ...counts });
      }),
    );
}
