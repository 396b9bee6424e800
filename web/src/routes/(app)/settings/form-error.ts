/**
 * @module
 * A failed save, split for a form: the message to show beside the field the server named
 * (`field`, e.g. `alertRules.psiRuns` or `to[0]`), or as the form's own message otherwise.
 */
// Relative, not $lib: the root Vitest run has no SvelteKit aliases.
import { ApiError } from "../../../lib/api/client.ts";

export interface FormError {
  field: string | null;
  message: string;
}

export function formError(error: unknown): FormError {
  if (error instanceof ApiError) return { field: error.field ?? null, message: error.message };
  return { field: null, message: error instanceof Error ? error.message : String(error) };
}

/** The message for `field`, if the error names it (or a field under it: `to` covers `to[1]`). */
export function messageFor(error: FormError | null, field: string): string | null {
  if (!error?.field) return null;
  return error.field === field || error.field.startsWith(`${field}.`) || error.field.startsWith(`${field}[`)
    ? error.message
    : null;
}
