/**
 * @module
 * Capture settings and the device id, kept in `localStorage`. The ingest-scoped API key is entered
 * once in the settings panel, or handed over in the URL fragment
 * (`/capture#key=…&stream=…&api=…&rate=…`), which the page stores and then strips from the address
 * bar. A fragment never reaches a server or its logs, unlike a query string.
 */

export interface CaptureSettings {
  /** Bearer key with the `ingest` scope; empty until configured (faces queue meanwhile). */
  apiKey: string;
  /** Stream the faces are sent to. */
  stream: string;
  /** Origin of the Facedrift API; empty means this app's own origin (the server serves the app). */
  apiBase: string;
  /** At most this many faces sent per second. */
  rateHz: number;
}

export const DEFAULT_SETTINGS: CaptureSettings = {
  apiKey: "",
  stream: "browser-capture",
  apiBase: "",
  rateHz: 2,
};

const SETTINGS_KEY = "facedrift.capture.settings";
const DEVICE_KEY = "facedrift.capture.device";

/** The server's rule for stream names (they appear in URLs). */
const STREAM_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isValidStream(name: string): boolean {
  return STREAM_NAME.test(name);
}

/** Settings merged over the defaults; fields of the wrong type are ignored. */
export function parseSettings(value: unknown): CaptureSettings {
  const input = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const text = (key: keyof CaptureSettings) =>
    typeof input[key] === "string" ? (input[key] as string) : null;
  const rate = Number(input.rateHz);
  const stream = text("stream");
  return {
    apiKey: text("apiKey") ?? DEFAULT_SETTINGS.apiKey,
    stream: stream !== null && isValidStream(stream) ? stream : DEFAULT_SETTINGS.stream,
    apiBase: (text("apiBase") ?? DEFAULT_SETTINGS.apiBase).replace(/\/+$/, ""),
    rateHz: Number.isFinite(rate) && rate > 0 && rate <= 10 ? rate : DEFAULT_SETTINGS.rateHz,
  };
}

export function loadSettings(storage: Storage): CaptureSettings {
  try {
    return parseSettings(JSON.parse(storage.getItem(SETTINGS_KEY) ?? "{}"));
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

export function saveSettings(storage: Storage, settings: CaptureSettings): CaptureSettings {
  const parsed = parseSettings(settings);
  storage.setItem(SETTINGS_KEY, JSON.stringify(parsed));
  return parsed;
}

/** The settings a URL fragment carries (`key`, `stream`, `api`, `rate`), or `null` when it has none. */
export function settingsFromFragment(hash: string): Partial<CaptureSettings> | null {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const found: Partial<CaptureSettings> = {};
  const key = params.get("key");
  const stream = params.get("stream");
  const api = params.get("api");
  const rate = params.get("rate");
  if (key) found.apiKey = key;
  if (stream) found.stream = stream;
  if (api !== null) found.apiBase = api;
  if (rate) found.rateHz = Number(rate);
  return Object.keys(found).length > 0 ? found : null;
}

/** This browser's device id: generated once, then reused for every face it sends. */
export function deviceId(storage: Storage, create: () => string = () => crypto.randomUUID()): string {
  const existing = storage.getItem(DEVICE_KEY);
  if (existing) return existing;
  const id = `browser-${create()}`;
  storage.setItem(DEVICE_KEY, id);
  return id;
}
