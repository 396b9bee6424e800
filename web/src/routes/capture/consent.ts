/**
 * @module
 * The capture consent, remembered in `localStorage`. Nothing touches the camera before
 * `readConsent` returns a record of the current version; bumping the version (when the notice's
 * wording changes what is collected) asks everyone again.
 */

export const CONSENT_VERSION = 1;
const KEY = "facedrift.capture.consent";

export interface ConsentRecord {
  version: number;
  givenAt: string;
}

/** The stored consent if it is for the current notice, else `null`. */
export function readConsent(storage: Storage): ConsentRecord | null {
  try {
    const record = JSON.parse(storage.getItem(KEY) ?? "null") as ConsentRecord | null;
    return record?.version === CONSENT_VERSION && typeof record.givenAt === "string" ? record : null;
  } catch {
    return null;
  }
}

export function giveConsent(storage: Storage, at: Date): ConsentRecord {
  const record = { version: CONSENT_VERSION, givenAt: at.toISOString() };
  storage.setItem(KEY, JSON.stringify(record));
  return record;
}

export function withdrawConsent(storage: Storage): void {
  storage.removeItem(KEY);
}
