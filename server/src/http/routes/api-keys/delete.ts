import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { revokeApiKey } from "../../../services/api-keys/revoke.ts";
import { actorOf, recordAudit } from "../../../services/audit/record.ts";
import type { AppEnv } from "../../env.ts";
import { internalId, publicIdsOut } from "../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { ApiKeyParamsSchema, ApiKeySchema, toApiKeyBody } from "./schema.ts";

const route = createRoute({
  method: "delete",
  path: "/v1/api-keys/{id}",
  summary: "Revoke an API key (it stops working at once; the record stays for audit)",
  security: bearer,
  middleware: [requireScope("admin")] as const,
  request: { params: ApiKeyParamsSchema },
  responses: {
    200: { description: "The revoked key", content: { "application/json": { schema: ApiKeySchema } } },
    ...authErrors,
    404: errorResponse("No such key for this tenant"),
  },
});

export function registerRevokeApiKey(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const key = await c.var.db.transaction(async (tx) => {
      const revoked = await revokeApiKey(
        tx,
        c.var.principal.tenantId,
        internalId(c.var.ids, "api-key", c.req.valid("param").id),
      );
      await recordAudit(tx, {
        tenantId: c.var.principal.tenantId,
        actor: actorOf(c.var.principal),
        action: "api_key.revoke",
        target: `api_key:${revoked.id}`,
      });
      return revoked;
    });
    return c.json(publicIdsOut(c.var.ids, ApiKeySchema, toApiKeyBody(key)), 200);
  });
}
