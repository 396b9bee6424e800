/** Test-only: one realistic alert, the kind the batch detector raises. */

import type { AlertEvent } from "../types.ts";
import { dashboardUrl } from "../types.ts";

export function sampleAlert(overrides: Partial<AlertEvent> = {}): AlertEvent {
  const base = {
    id: 42,
    tenantId: 7,
    stream: "lobby-cam <east>",
    detector: "batch" as const,
    severity: "critical" as const,
    createdAt: new Date("2026-11-26T12:00:00.000Z"),
    title: "PSI drift on 3 dimensions & MMD² above threshold",
    numbers: {
      pc1MeanBefore: 0.0125,
      pc1MeanAfter: 0.3311,
      psi: [0.02, 0.31, 0.05, 0.12, 0.27, 0.01],
      flaggedDimensions: [1, 3, 4],
      mmd2: 0.0184,
      pValue: 0.00012,
      auc: 0.962,
    },
    window: { from: new Date("2026-11-26T10:00:00.000Z"), to: new Date("2026-11-26T12:00:00.000Z") },
  };
  const alert = { ...base, ...overrides };
  return {
    ...alert,
    dashboardUrl: overrides.dashboardUrl ?? dashboardUrl("https://facedrift.example/", alert),
  };
}
