import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { createDrizzleAlertStore } from "../../../alerts/drizzle-store.ts";
import { ensureVapidKeys } from "../../../alerts/webpush/index.ts";
import { requireScope } from "../../../auth/middleware.ts";
import type { AppEnv } from "../../env.ts";
import { authErrors, bearer } from "../common.ts";

const route = createRoute({
  method: "get",
  path: "/v1/push/vapid-public-key",
  summary: "The server's VAPID public key, for PushManager.subscribe({ applicationServerKey })",
  security: bearer,
  middleware: [requireScope("read")] as const,
  responses: {
    200: {
      description: "The key (base64url, uncompressed P-256 point)",
      content: {
        "application/json": { schema: z.object({ publicKey: z.string() }).openapi("VapidPublicKey") },
      },
    },
    ...authErrors,
  },
});

export function registerVapidPublicKey(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const keys = await ensureVapidKeys(createDrizzleAlertStore(c.var.db).vapidKeys);
    return c.json({ publicKey: keys.publicKey }, 200);
  });
}
