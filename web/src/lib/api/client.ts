/**
 * @module
 * The dashboard's one way to call the Facedrift API. Requests go to the same origin with the
 * session cookie (`fd_session`, HttpOnly, so script never sees it); state-changing requests carry
 * the session's CSRF token in `X-CSRF-Token`, which the server checks against the session.
 * Every failure becomes an {@link ApiError} carrying the server's error body, so pages can show
 * the message and, for form errors, the field it names.
 */

/** The server's one error shape (`server/src/http/handle-error.ts`). */
export interface ApiErrorBody {
  error: { code: string; message: string; field?: string; item?: number };
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;

  constructor(status: number, body: ApiErrorBody["error"]) {
    super(body.message);
    this.name = "ApiError";
    this.status = status;
    this.code = body.code;
    this.field = body.field;
  }
}

/** What `GET /v1/session` answers for a logged-in user. */
export interface Session {
  user: { id: number; email: string };
  tenantId: number;
  csrfToken: string;
}

let csrfToken: string | null = null;

/** Remembers the CSRF token of the current session (set by `loadSession` and `login`). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Calls `path` (e.g. `/v1/streams`) and returns the parsed JSON body (`undefined` for 204).
 * A plain object `body` is sent as JSON; `FormData` and other bodies pass through unchanged.
 */
export async function api<T>(
  path: string,
  init: Omit<RequestInit, "body"> & { body?: unknown; fetch?: typeof fetch } = {},
): Promise<T> {
  const { fetch: doFetch = fetch, body, ...rest } = init;
  const method = (rest.method ?? "GET").toUpperCase();
  const headers = new Headers(rest.headers);
  let payload: BodyInit | undefined;
  if (body instanceof FormData || body instanceof Blob || typeof body === "string") payload = body;
  else if (body !== undefined) {
    headers.set("content-type", "application/json");
    payload = JSON.stringify(body);
  }
  if (!SAFE.has(method) && csrfToken) headers.set("x-csrf-token", csrfToken);
  const response = await doFetch(path, {
    ...rest,
    method,
    headers,
    body: payload,
    credentials: "same-origin",
  });
  if (!response.ok) {
    const error = await response
      .json()
      .then((json: Partial<ApiErrorBody>) => json.error)
      .catch(() => undefined);
    throw new ApiError(
      response.status,
      error ?? { code: "http_error", message: `${response.status} ${response.statusText}` },
    );
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** The current session, or `null` when nobody is logged in. */
export async function loadSession(doFetch: typeof fetch = fetch): Promise<Session | null> {
  try {
    const session = await api<Session>("/v1/session", { fetch: doFetch });
    setCsrfToken(session.csrfToken);
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}
