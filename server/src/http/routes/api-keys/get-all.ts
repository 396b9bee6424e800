import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { listApiKeys } from "../../../services/api-keys/list.ts";
import type { AppEnv } from "../../env.ts";
import { publicIdsOut } from "../../public-ids.ts";
import { authErrors, bearer } from "../common.ts";
import { ApiKeySchema, toApiKeyBody } from "./schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/api-keys",
  summary: "The tenant's API keys, without secrets",
  security: bearer,
  middleware: [requireScope("admin")] as const,
  responses: {
    200: {
      description: "Keys, oldest first",
      content: { "application/json": { schema: z.object({ keys: z.array(ApiKeySchema) }) } },
    },
    ...authErrors,
  },
});

export function registerListApiKeys(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const keys = await listApiKeys(c.var.db, c.var.principal.tenantId);
    return c.json({ keys: keys.map((key) => publicIdsOut(c.var.ids, ApiKeySchema, toApiKeyBody(key))) }, 200);
  });
}
