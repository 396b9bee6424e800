import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { databaseReady } from "../../../db/readiness.ts";
import { FacedriftError } from "../../../errors.ts";
import type { AppEnv } from "../../env.ts";
import { errorResponse } from "../common.ts";

const Ok = z.object({ status: z.literal("ok") }).openapi("Health");

const healthz = createRoute({
  method: "get",
  path: "/healthz",
  summary: "Liveness: the process is up (no auth, no database)",
  responses: { 200: { description: "Alive", content: { "application/json": { schema: Ok } } } },
});

const readyz = createRoute({
  method: "get",
  path: "/readyz",
  summary: "Readiness: the database answers a query over its tables within 5 s (no auth)",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: Ok } } },
    503: errorResponse("The database does not answer"),
  },
});

export function registerHealth(app: OpenAPIHono<AppEnv>): void {
  app.openapi(healthz, (c) => c.json({ status: "ok" as const }, 200));
  app.openapi(readyz, async (c) => {
    try {
      await databaseReady(c.var.db);
    } catch (error) {
      throw new FacedriftError("unavailable", "the database does not answer a query", { cause: error });
    }
    return c.json({ status: "ok" as const }, 200);
  });
}
