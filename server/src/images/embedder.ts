/**
 * @module
 * Which model embeds uploaded images: the replica runs the capture station's pipeline with its
 * default embedder (`DEFAULT_MODELS` in `@facedrift/models`), so every image of an upload becomes
 * an embedding of that model (and, during a stream's model transition, of the models the page
 * runs beside it: `process-batch.ts`). An upload to a stream of a model no page can run could only
 * fail later, file by file, after retries; it is refused at once instead, naming the stream's model.
 */
import { ALTERNATE_EMBEDDERS, CATALOG, DEFAULT_MODELS } from "@facedrift/models/registry";
import { and, eq } from "drizzle-orm";
import type { Executor } from "../db/database.ts";
import { streams } from "../db/schema/stream.ts";
import { FacedriftError } from "../errors.ts";
import { isTrackName, streamOf } from "../services/stream-models/names.ts";

const entry = CATALOG[DEFAULT_MODELS.embedder];
if (!entry?.output?.dimension)
  throw new Error(`the default embedder ${DEFAULT_MODELS.embedder} is not in the catalog`);

/** The model uploaded images are embedded with. */
export const IMAGE_EMBEDDER = {
  id: entry.id,
  version: entry.version,
  dimension: entry.output.dimension,
} as const;

/**
 * The models a replica page can embed a stream's images with: the default, and the alternates it
 * runs for model transitions (a stream promoted to one of them keeps taking uploads).
 */
const PAGE_EMBEDDERS = [
  IMAGE_EMBEDDER,
  ...ALTERNATE_EMBEDDERS.map((id) => CATALOG[id]).flatMap((e) =>
    e?.output?.dimension ? [{ id: e.id, version: e.version, dimension: e.output.dimension }] : [],
  ),
];

/** Refuses (409, field `stream`) an upload to a stream whose model no replica page can embed with. */
export async function checkStreamTakesImages(db: Executor, tenantId: number, stream: string): Promise<void> {
  const [row] = await db
    .select({ modelId: streams.modelId, modelVersion: streams.modelVersion, dimension: streams.dimension })
    .from(streams)
    .where(and(eq(streams.tenantId, tenantId), eq(streams.name, stream)));
  if (isTrackName(stream)) {
    throw new FacedriftError(
      "invalid_request",
      `stream: upload to the stream "${streamOf(stream)}", not to one of its model tracks`,
      { field: "stream" },
    );
  }
  if (!row) return; // the first embedding creates it with the images' model
  const { id, version, dimension } = IMAGE_EMBEDDER;
  if (
    PAGE_EMBEDDERS.some(
      (e) => row.modelId === e.id && row.modelVersion === e.version && row.dimension === e.dimension,
    )
  )
    return;
  throw new FacedriftError(
    "conflict",
    `stream "${stream}" holds ${row.modelId}@${row.modelVersion} embeddings (${row.dimension}-D), but uploaded images are embedded with ${id}@${version} (${dimension}-D): upload them to another stream, or embed them with ${row.modelId}@${row.modelVersion} yourself and POST the vectors to /v1/streams/${stream}/embeddings`,
    { field: "stream" },
  );
}
