import { z } from "@hono/zod-openapi";

/** The documented shape; validation is the alerts' `pushSubscriptionSchema` (`alerts/config.ts`). */
export const PushSubscriptionBodySchema = z
  .looseObject({
    endpoint: z.string(),
    keys: z.looseObject({ p256dh: z.string(), auth: z.string() }),
  })
  .openapi("PushSubscription", { description: "A browser's PushSubscription.toJSON()" });

export const UnsubscribeBodySchema = z
  .object({ endpoint: z.string().min(1) })
  .openapi("PushUnsubscribeRequest");
