/**
 * The one domain error. Services throw it with a code from the closed list below; the HTTP edge
 * (`http/handle-error.ts`) maps the code to a status and one JSON shape, and the CLI prints the
 * message. `field` and `item` point at the offending input (`items[3].embedding`, item 3).
 */
export const ERROR_CODES = {
  invalid_request: 400,
  invalid_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetails {
  field?: string;
  item?: number;
  cause?: unknown;
}

export class FacedriftError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly item: number | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "FacedriftError";
    this.code = code;
    this.field = details.field;
    this.item = details.item;
  }

  get status(): (typeof ERROR_CODES)[ErrorCode] {
    return ERROR_CODES[this.code];
  }
}

/** The SQLSTATE of a database error, looking through drizzle's `DrizzleQueryError` wrapper. */
export function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
