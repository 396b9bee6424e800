/**
 * Shared by `facedrift verify` and `facedrift extract`: argument checks, the progress line on
 * stderr, and the exit status of bad arguments (2 and one line, as `facedrift stats` does).
 */

import { FacedriftError } from "../../errors.ts";
import type { Progress } from "../../verification/images.ts";

export function badArgument(field: string, message: string): FacedriftError {
  return new FacedriftError("invalid_request", `--${field} ${message}`, { field });
}

export function parseChoice<T extends string>(value: string, field: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw badArgument(field, `must be one of ${choices.join(", ")}, got "${value}"`);
}

/**
 * Runs a command's action; a bad argument or input (`invalid_request`, `not_found`) becomes one
 * line on stderr and exit status 2, anything else goes to the CLI's handler (status 1).
 */
export async function withArgumentErrors(command: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof FacedriftError) || !["invalid_request", "not_found"].includes(error.code))
      throw error;
    process.stderr.write(`facedrift ${command}: ${error.message}\n`);
    process.exitCode = 2;
  }
}

/** `verify: 25/1549 images, 3.1 img/s, ETA 8 min 12 s`, at most every `everyMs` and always the last. */
export function progressLine(
  command: string,
  everyMs = 2_000,
  write = (line: string) => process.stderr.write(line),
) {
  let last = Number.NEGATIVE_INFINITY;
  return (progress: Progress) => {
    const done = progress.done === progress.total;
    if (!done && progress.elapsedMs - last < everyMs) return;
    last = progress.elapsedMs;
    const rate = progress.done / Math.max(progress.elapsedMs / 1000, 1e-3);
    const eta = done ? "done" : `ETA ${duration(progress.etaMs)}`;
    write(`${command}: ${progress.done}/${progress.total} images, ${rate.toFixed(1)} img/s, ${eta}\n`);
  };
}

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
