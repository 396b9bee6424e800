import { z } from "@hono/zod-openapi";
import { ALERT_SEVERITIES } from "../../../../db/schema/alert.ts";
import { CHECK_PROFILES, PSI_BIN_SETTINGS } from "../../../../services/stream-settings/settings.ts";

const PSI_BINS_DESCRIPTION =
  "PSI bins of the next reference fit, fixed in that version: deciles (10 quantile bins) or " +
  "uniform-50 (50 equal-width bins over the reference's range; PSI then flags only on windows of " +
  "≥ 2,723 embeddings, to stay as quiet on clean data as deciles at 500). The active version keeps " +
  "the bins it was fitted with; null: deciles";

const CHECK_PROFILE_DESCRIPTION =
  "The batch check's profile: recommended (MMD on every check, decided by a permutation test over " +
  "people, so a few people seen many times or exact repeats do not confirm drift) or seed (the " +
  "design's first rule: MMD only when PSI or KS flag a component, and weekly, against the " +
  "reference's calibrated threshold); null: recommended";

const PsiPersistenceSchema = z
  .object({
    threshold: z.number().gt(0).max(10).openapi({ example: 0.1 }),
    runs: z.number().int().min(1).max(20).openapi({ example: 2 }),
  })
  .openapi("PsiPersistence", {
    description: "PSI ≥ threshold on the same dimension for this many consecutive runs",
  });

const AlertRulesSchema = z.object({
  calmMinutes: z.number().int().min(0).max(43_200).nullable().openapi({
    description:
      "Minutes without a new finding after which the stream's incident resolves itself; null: 360 (6 h)",
  }),
  notifyFrom: z.enum(ALERT_SEVERITIES).nullable().openapi({
    description:
      "The least incident severity that notifies channels (opened, escalated, resolved); null: warning, so population changes (info) only show on the dashboard",
  }),
  psiPersistence: PsiPersistenceSchema.nullable().openapi({
    description: "An extra condition before a confirmed drift raises a batch alert; null: none",
  }),
});

export const StreamSettingsSchema = z
  .object({
    schedule: z
      .string()
      .nullable()
      .openapi({ description: "Cron (UTC) of the scheduled batch check; null: none", example: "0 2 * * *" }),
    windowSize: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "Embeddings per batch check; null: the detector's default" }),
    retentionDays: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "Days kept before archiving; null: the server's default" }),
    psiBins: z.enum(PSI_BIN_SETTINGS).nullable().openapi({ description: PSI_BINS_DESCRIPTION }),
    checkProfile: z.enum(CHECK_PROFILES).nullable().openapi({ description: CHECK_PROFILE_DESCRIPTION }),
    alertRules: AlertRulesSchema,
  })
  .openapi("StreamSettings");

export const StreamSettingsPatchSchema = z
  .object({
    schedule: z.string().trim().min(1).max(200).nullable().optional(),
    windowSize: z.number().int().min(10).max(200_000).nullable().optional(),
    retentionDays: z.number().int().min(1).max(3650).nullable().optional(),
    psiBins: z.enum(PSI_BIN_SETTINGS).nullable().optional().openapi({ description: PSI_BINS_DESCRIPTION }),
    checkProfile: z
      .enum(CHECK_PROFILES)
      .nullable()
      .optional()
      .openapi({ description: CHECK_PROFILE_DESCRIPTION }),
    alertRules: AlertRulesSchema.partial().optional(),
  })
  .openapi("StreamSettingsPatch", { description: "Only the fields given change; null resets one" });
