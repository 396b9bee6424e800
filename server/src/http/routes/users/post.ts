import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { actorOf, recordAudit } from "../../../services/audit/record.ts";
import { createUser, MIN_PASSWORD_LENGTH } from "../../../services/users/create.ts";
import type { AppEnv } from "../../env.ts";
import { publicIdSchema, publicIdsOut } from "../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";

const CreateUserBodySchema = z
  .object({
    email: z.string().min(3).max(320),
    password: z.string().min(MIN_PASSWORD_LENGTH).max(1024),
  })
  .openapi("CreateUserRequest");

const CreatedUserSchema = z.object({ id: publicIdSchema("user"), email: z.string() }).openapi("CreatedUser");

/**
 * Dashboard users through the running server: what `facedrift users create --server URL` calls,
 * since on the embedded database the server is the one process that may open the data folder.
 */
const route = createRoute({
  method: "post",
  path: "/v1/users",
  summary: "Create a dashboard user in the caller's tenant",
  security: bearer,
  middleware: [requireScope("admin")] as const,
  request: { body: { required: true, content: { "application/json": { schema: CreateUserBodySchema } } } },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: CreatedUserSchema } } },
    400: errorResponse("Invalid input; `field` names it"),
    ...authErrors,
    409: errorResponse("A user with this e-mail exists"),
  },
});

export function registerCreateUser(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const user = await c.var.db.transaction(async (tx) => {
      const created = await createUser(tx, { tenantId: c.var.principal.tenantId, ...body });
      await recordAudit(tx, {
        tenantId: c.var.principal.tenantId,
        actor: actorOf(c.var.principal),
        action: "user.create",
        target: `user:${created.id}`,
        details: { email: created.email },
      });
      return created;
    });
    return c.json(publicIdsOut(c.var.ids, CreatedUserSchema, user), 201);
  });
}
