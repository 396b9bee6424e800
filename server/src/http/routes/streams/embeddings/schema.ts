import { z } from "@hono/zod-openapi";
import { EMBEDDING_SOURCES } from "../../../../db/schema/embedding.ts";
import { MAX_EXTRACTION_ATTEMPTS } from "../../../../services/embeddings/extraction.ts";
import { digitsOnly } from "../../../digits.ts";
import { ModelSchema } from "../schema.ts";

/** PostgreSQL text and jsonb cannot hold U+0000, so it is refused up front with the field named. */
const NO_NUL = "must not contain the NUL character (U+0000)";
const hasNoNul = (s: string) => !s.includes("\u0000");

/** Counted in Unicode code points, not UTF-16 units, so "any unicode" means what it says. */
const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** An id the client chooses (an item's, a report's): 1–128 code points, no NUL, idempotent per stream. */
const clientId = (description: string, example: string) =>
  z
    .string()
    .refine((s) => {
      const n = codePoints(s);
      return n >= 1 && n <= 128;
    }, "must be 1–128 characters")
    .refine(hasNoNul, NO_NUL)
    .openapi({ description, example });

/**
 * A vector of JSON numbers. Only "is an array" is checked here: a per-element zod check cost
 * ~50 µs per 512-D item, more than the rest of validation together, and `decodeBatch` checks
 * every element anyway (type, finiteness in float32) while converting it, naming the index.
 */
const NumberArraySchema = z
  .custom<number[]>((value) => Array.isArray(value), { message: "must be an array of numbers" })
  .openapi({ type: "array", items: { type: "number" }, description: "The vector as JSON numbers" });

export const ItemSchema = z
  .object({
    id: clientId("Client-chosen id, unique per stream; resending it is a no-op", "f-0001"),
    // Read exactly and judged for plausibility (2001 to now + the allowed skew) in `decodeBatch`.
    ts: z
      .union([z.string().max(64), z.number().int()], {
        error: "must be an RFC 3339 date-time with an offset (a string) or integer epoch milliseconds",
      })
      .openapi({
        description:
          "Event time: an RFC 3339 string with offset, or integer epoch milliseconds; from 2001 to at " +
          "most FACEDRIFT_MAX_FUTURE_SKEW_SECONDS (default a day) after it is received",
        example: "2026-11-26T12:00:00.000Z",
      }),
    embedding: NumberArraySchema.optional(),
    embedding_b64: z
      .string()
      .optional()
      .openapi({
        description:
          "The vector as padded base64 (length a multiple of 4) of little-endian " +
          "float32 values: about 4× smaller than JSON numbers and ~5× cheaper for the server to parse",
      }),
    source: z.enum(EMBEDDING_SOURCES).optional().openapi({ description: "Defaults to api" }),
    device: z.string().max(256).refine(hasNoNul, NO_NUL).optional(),
    // Depth, size, text and the quality signals' ranges are checked in `decodeBatch`, which names the key.
    metadata: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({
        description:
          "Labels kept with the embedding (at most 8 deep, 16 KiB as JSON), e.g. `person` on reference " +
          "items. `quality` holds the face's quality signals as the product's pipeline records them; a " +
          "number under a known signal's name must be finite and in its range, else the request is " +
          "refused naming `items[i].metadata.quality.<signal>`: faceSize in (0, 100000] (source pixels), " +
          "detectorScore and clipped in [0, 1], brightness, contrast and saturation in [0, 255] (grey " +
          "levels), blur in [0, 1040400], noise in [0, 1000], alignmentError in [0, 10] (eye " +
          "distances), embeddingNorm in (0, 1000000]. Other keys, and values that are not numbers, " +
          "are stored and ignored by the detectors",
        example: {
          person: "p-17",
          quality: { faceSize: 112, detectorScore: 0.97, blur: 140, brightness: 118 },
        },
      }),
  })
  .openapi("EmbeddingItem", {
    description: "Exactly one of embedding and embedding_b64 must be given",
  });

export const ExtractionReportSchema = z
  .object({
    id: clientId("Client-chosen id of this report, unique per stream; resending it is a no-op", "batch-0001"),
    attempted: z.number().int().min(1).max(MAX_EXTRACTION_ATTEMPTS).openapi({
      description: "Images or frames the client's pipeline ran its face detector on",
      example: 40,
    }),
    no_face: z.number().int().min(0).openapi({
      description: "Of those, how many yielded no face (at most attempted)",
      example: 1,
    }),
  })
  .refine((r) => r.no_face <= r.attempted, {
    message: "must be at most attempted",
    path: ["no_face"],
  })
  .openapi("ExtractionReport", {
    description:
      "What the client's pipeline tried for this batch, so a change that leaves no face (strong " +
      "pixelation, a lens cap, a broken decode step) is seen even when no embeddings arrive: the " +
      "streaming worker compares the stream's recent failure-to-extract rate (no_face / attempted) " +
      "with its earlier rate. No relation to the items is required (a frame may hold several " +
      "faces, and a client may send a sample of them).",
  });

export const IngestBodySchema = z
  .object({
    model: ModelSchema,
    items: z.array(ItemSchema).openapi({
      description: "The embeddings; may be empty only when extraction is given (no face was found)",
    }),
    extraction: ExtractionReportSchema.optional(),
  })
  .openapi("IngestRequest");

export const IngestResponseSchema = z
  .object({
    accepted: z.number().int(),
    duplicates: z.number().int(),
    lastSeq: z.number().int().openapi({
      description:
        "The stream's highest seq after this request: seqs count the stream's own rows, 1, 2, 3, …",
    }),
    transition: z
      .object({
        current: z.object({ model: ModelSchema, dimension: z.number().int() }),
        candidate: z
          .object({ model: ModelSchema, dimension: z.number().int(), samplingShare: z.number() })
          .nullable(),
      })
      .optional()
      .openapi({
        description:
          "Present once the stream has had a candidate model: what a capture device embeds with " +
          "(every face with `current`, `samplingShare` of them with `candidate` too)",
      }),
    extraction: z
      .object({
        accepted: z.boolean().openapi({
          description: "False when a report with this id was already stored: it was not counted again",
        }),
        seq: z
          .number()
          .int()
          .openapi({ description: "The report's place among the stream's reports: 1, 2, 3, …" }),
      })
      .optional()
      .openapi({ description: "Present when the request carried an extraction report" }),
  })
  .openapi("IngestResponse");

export const ListQuerySchema = z.object({
  after_seq: digitsOnly(
    z.coerce
      .number()
      .int()
      .min(0)
      .default(0)
      .openapi({ description: "Return rows with seq > after_seq (seqs count the stream's own rows from 1)" }),
  ),
  limit: digitsOnly(z.coerce.number().int().min(1).max(1000).default(100)),
});

export const StoredEmbeddingSchema = z
  .object({
    seq: z.number().int().openapi({
      description: "The row's place in its stream: 1 for the stream's first embedding, then 2, 3, …",
    }),
    id: z.string(),
    ts: z.string(),
    receivedAt: z.string(),
    model: ModelSchema,
    source: z.enum(EMBEDDING_SOURCES),
    device: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    embedding: z.array(z.number()),
  })
  .openapi("StoredEmbedding");

export const EmbeddingPageSchema = z
  .object({
    items: z.array(StoredEmbeddingSchema),
    nextAfterSeq: z.number().int().openapi({ description: "The after_seq of the next page" }),
    hasMore: z.boolean(),
  })
  .openapi("EmbeddingPage");
