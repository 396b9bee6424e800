import { z } from "@hono/zod-openapi";

const AlertRulesSchema = z.object({
  cooldownMinutes: z
    .number()
    .int()
    .min(0)
    .max(10_080)
    .openapi({ description: "After an alert is sent, similar ones are recorded, not sent, this long" }),
  psiThreshold: z.number().gt(0).max(10).openapi({ example: 0.1 }),
  psiRuns: z.number().int().min(1).max(20).openapi({
    description: "Consecutive runs the PSI must stay at or above the threshold on one dimension",
  }),
});

export const StreamSettingsSchema = z
  .object({
    schedule: z
      .string()
      .nullable()
      .openapi({ description: "Cron (UTC) of the scheduled batch check; null: none", example: "0 2 * * *" }),
    windowSize: z.number().int().openapi({ description: "Embeddings per batch check" }),
    retentionDays: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "Days kept before archiving; null: the server's default" }),
    alertRules: AlertRulesSchema,
  })
  .openapi("StreamSettings");

export const StreamSettingsPatchSchema = z
  .object({
    schedule: z.string().trim().min(1).max(200).nullable().optional(),
    windowSize: z.number().int().min(10).max(200_000).optional(),
    retentionDays: z.number().int().min(1).max(3650).nullable().optional(),
    alertRules: AlertRulesSchema.partial().optional(),
  })
  .openapi("StreamSettingsPatch", { description: "Only the fields given change" });
