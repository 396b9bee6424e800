/**
 * @module
 * Findings (alert rows): what each detector recorded. People work with incidents
 * (`incidents.ts`), which group a stream's findings; a finding shows inside its incident's
 * timeline.
 */
import type { Schema } from "./schemas.ts";

export type Alert = Schema<"Alert">;
export type AlertSeverity = Alert["severity"];
export type AlertDetector = Alert["detector"];
