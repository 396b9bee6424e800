import { z } from "@hono/zod-openapi";
import { API_KEY_SCOPES } from "../../../db/schema/api-key.ts";
import { publicIdSchema } from "../../public-ids.ts";
import { idParamsSchema } from "../paging.ts";

export const ApiKeySchema = z
  .object({
    id: publicIdSchema("api-key"),
    name: z.string(),
    prefix: z.string().openapi({ description: "The first characters of the secret, to tell keys apart" }),
    scopes: z.array(z.enum(API_KEY_SCOPES)),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi("ApiKey");

export const CreateApiKeyBodySchema = z
  .object({
    name: z.string().min(1).max(128),
    scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).openapi({ description: "admin implies ingest and read" }),
  })
  .openapi("CreateApiKeyRequest");

export const CreatedApiKeySchema = z
  .object({
    key: ApiKeySchema,
    secret: z.string().openapi({ description: "Shown once; only its hash is stored" }),
  })
  .openapi("CreatedApiKey");

export const ApiKeyParamsSchema = idParamsSchema("api-key");

/** The public shape: no tenant id (it is always the caller's own). */
export function toApiKeyBody<T extends { tenantId: number }>(view: T): Omit<T, "tenantId"> {
  const { tenantId: _tenantId, ...body } = view;
  return body;
}
