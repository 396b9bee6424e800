import { readFile } from "node:fs/promises";
import { DEFAULT_TENANT_NAME } from "../../db/schema/tenant.ts";
import { FacedriftError } from "../../errors.ts";
import type { IngestItem } from "../../services/embeddings/decode.ts";
import type { EmbeddingWindow } from "../../services/embeddings/window.ts";

/** Argument parsing shared by `reference`, `check` and `backfill`. */
export const tenantOption = ["--tenant <name>", "tenant name", DEFAULT_TENANT_NAME] as const;

export function parseTime(value: string, field: string): Date {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) {
    throw new FacedriftError(
      "invalid_request",
      `--${field} "${value}" is not a date-time (e.g. 2026-11-01T00:00:00Z)`,
      {
        field,
      },
    );
  }
  return time;
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "30m", "6h", "1d", "1w" in milliseconds. */
export function parseDuration(value: string, field: string): number {
  const match = /^(\d+)([mhdw])$/.exec(value.trim());
  if (!match)
    throw new FacedriftError("invalid_request", `--${field} "${value}" is not like 30m, 6h, 1d or 1w`, {
      field,
    });
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}

export function parseCount(value: string, field: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new FacedriftError("invalid_request", `--${field} must be a positive integer`, { field });
  return n;
}

/** `--last N`, or `--from` with `--to`; undefined when none is given. */
export function windowFrom(options: {
  last?: string;
  from?: string;
  to?: string;
}): EmbeddingWindow | undefined {
  if (options.last !== undefined) {
    if (options.from !== undefined || options.to !== undefined) {
      throw new FacedriftError("invalid_request", "give --last or --from/--to, not both", { field: "last" });
    }
    return { last: parseCount(options.last, "last") };
  }
  if (options.from === undefined && options.to === undefined) return undefined;
  if (options.from === undefined || options.to === undefined) {
    throw new FacedriftError("invalid_request", "--from and --to go together", {
      field: options.from ? "to" : "from",
    });
  }
  return { from: parseTime(options.from, "from"), to: parseTime(options.to, "to") };
}

/** Items of ingestion's format, one JSON object per line. */
export async function readItemsFile(path: string): Promise<IngestItem[]> {
  const text = await readFile(path, "utf8");
  return text
    .split("\n")
    .map((line, i) => [line.trim(), i] as const)
    .filter(([line]) => line.length > 0)
    .map(([line, i]) => {
      try {
        return JSON.parse(line) as IngestItem;
      } catch {
        throw new FacedriftError("invalid_json", `${path}:${i + 1} is not a JSON object`);
      }
    });
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
