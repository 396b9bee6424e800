import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { createApiKey } from "../../../services/api-keys/create.ts";
import { actorOf, recordAudit } from "../../../services/audit/record.ts";
import type { AppEnv } from "../../env.ts";
import { publicIdsOut } from "../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { CreateApiKeyBodySchema, CreatedApiKeySchema, toApiKeyBody } from "./schema.ts";

const route = createRoute({
  method: "post",
  path: "/v1/api-keys",
  summary: "Create an API key for the caller's tenant; the secret is returned once",
  security: bearer,
  middleware: [requireScope("admin")] as const,
  request: { body: { required: true, content: { "application/json": { schema: CreateApiKeyBodySchema } } } },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: CreatedApiKeySchema } } },
    400: errorResponse("Invalid input"),
    ...authErrors,
  },
});

export function registerCreateApiKey(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const { key, secret } = await c.var.db.transaction(async (tx) => {
      const created = await createApiKey(tx, {
        tenantId: c.var.principal.tenantId,
        name: body.name,
        scopes: body.scopes,
      });
      await recordAudit(tx, {
        tenantId: c.var.principal.tenantId,
        actor: actorOf(c.var.principal),
        action: "api_key.create",
        target: `api_key:${created.key.id}`,
        details: { name: body.name, scopes: created.key.scopes },
      });
      return created;
    });
    return c.json(publicIdsOut(c.var.ids, CreatedApiKeySchema, { key: toApiKeyBody(key), secret }), 201);
  });
}
