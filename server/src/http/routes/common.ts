import { z } from "@hono/zod-openapi";
import { ERROR_CODES } from "../../errors.ts";

/** The error body, for the OpenAPI document (see `handle-error.ts`). */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES, ...(keyof typeof ERROR_CODES)[]]),
      message: z.string(),
      field: z.string().optional().openapi({ example: "items[3].embedding" }),
      item: z.number().int().optional().openapi({ description: "Index of the offending item" }),
    }),
  })
  .openapi("Error");

export const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorSchema } },
});

/** The responses every authenticated route can give. */
export const authErrors = {
  401: errorResponse("Missing, unknown or revoked API key"),
  403: errorResponse("The API key lacks the scope"),
} as const;

export const bearer = [{ bearer: [] }];

/**
 * Stream names appear in URLs, so they are restricted to URL-safe characters. A model track of a
 * stream (`lobby~model@version`, see `services/stream-models/names.ts`) is addressed the same way;
 * ingestion never creates one.
 */
export const StreamNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}(~[A-Za-z0-9][A-Za-z0-9._+-]{0,127}@[A-Za-z0-9][A-Za-z0-9._+-]{0,127})?$/,
    "1–128 of A–Z a–z 0–9 . _ -, starting with a letter or digit",
  )
  .openapi({ param: { name: "stream", in: "path" }, example: "lobby-camera" });
