/// <reference lib="webworker" />
/**
 * @module
 * Web push in the service worker: an incident notification pushed by the server
 * (`server/src/alerts/webpush/`, payload `PushPayload`: opened, escalated or resolved) becomes a
 * system notification — one per incident, each transition replacing the last — whose data holds
 * the incident's deep link,
 * and clicking it focuses a dashboard window already on that link, else steers an open one
 * there, else opens one. Kept apart from `service-worker.ts`, which only caches files.
 */

/** What the server pushes (`PushPayload` in `server/src/alerts/webpush/index.ts`). */
export interface AlertPush {
  title: string;
  body: string;
  url: string;
  /** The incident; its notifications share one tag, so a resolve replaces the opening. */
  incidentId: number | null;
  transition: "opened" | "escalated" | "resolved" | null;
  /** The finding that opened or escalated it. */
  alertId: number | null;
  severity: "info" | "warning" | "critical" | null;
}

/** What each notification carries in `Notification.data`. */
export interface AlertNotificationData {
  url: string;
  incidentId: number | null;
  alertId: number | null;
}

const FALLBACK_URL = "/alerts";

/**
 * Reads a push message. A message that is not the server's JSON still notifies (a silent push
 * would cost the origin its push permission in Chrome), with its text as the body.
 */
export function parseAlertPush(text: string | null, origin: string): AlertPush {
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      json = parsed as Record<string, unknown>;
    else json = { body: String(parsed) };
  } catch {
    json = { body: text ?? "" };
  }
  const severity = json.severity;
  return {
    title: typeof json.title === "string" && json.title ? json.title : "Facedrift alert",
    body: typeof json.body === "string" ? json.body : "",
    url: sameOriginUrl(typeof json.url === "string" ? json.url : FALLBACK_URL, origin),
    incidentId: typeof json.incidentId === "number" ? json.incidentId : null,
    transition:
      json.transition === "opened" || json.transition === "escalated" || json.transition === "resolved"
        ? json.transition
        : null,
    alertId: typeof json.alertId === "number" ? json.alertId : null,
    severity: severity === "info" || severity === "warning" || severity === "critical" ? severity : null,
  };
}

/**
 * The link on this worker's own origin: the server builds links from its configured public URL,
 * which may name another host than the one this dashboard was installed from, and a notification
 * must never send the user to an origin the worker does not serve.
 */
export function sameOriginUrl(url: string, origin: string): string {
  try {
    const parsed = new URL(url, origin);
    // javascript:, data: and the like have no path on any origin.
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `${origin}${FALLBACK_URL}`;
    return `${origin}${parsed.pathname}${parsed.search}${parsed.hash}`;
  } catch {
    return `${origin}${FALLBACK_URL}`;
  }
}

export function notificationOptions(push: AlertPush): NotificationOptions {
  const data: AlertNotificationData = { url: push.url, incidentId: push.incidentId, alertId: push.alertId };
  return {
    body: push.body,
    data,
    icon: "/icon-192.png",
    // One notification per incident: its escalation or resolve (or a re-delivered push) replaces
    // the one on screen instead of stacking copies.
    tag: push.incidentId === null ? "facedrift-alert" : `facedrift-incident-${push.incidentId}`,
    // A critical incident waits to be seen; its resolve need not.
    requireInteraction: push.severity === "critical" && push.transition !== "resolved",
  };
}

/** Focuses a window on `url`, or navigates an open dashboard window there, or opens one. */
export async function openOrFocus(clients: Clients, url: string): Promise<WindowClient | null> {
  const windows = await clients.matchAll({ type: "window", includeUncontrolled: true });
  const exact = windows.find((client) => client.url === url);
  if (exact) return exact.focus();
  const origin = new URL(url).origin;
  const sameOrigin = windows.find((client) => new URL(client.url).origin === origin);
  if (sameOrigin) {
    // navigate() needs a window this worker controls; an uncontrolled one is left alone.
    const navigated = await sameOrigin.navigate(url).catch(() => null);
    if (navigated) return navigated.focus();
  }
  return clients.openWindow(url);
}

export function registerAlertNotifications(worker: ServiceWorkerGlobalScope): void {
  worker.addEventListener("push", (event) => {
    const push = parseAlertPush(event.data?.text() ?? null, worker.location.origin);
    event.waitUntil(worker.registration.showNotification(push.title, notificationOptions(push)));
  });
  worker.addEventListener("notificationclick", (event) => {
    event.notification.close();
    const data = event.notification.data as Partial<AlertNotificationData> | null;
    const url = sameOriginUrl(data?.url ?? FALLBACK_URL, worker.location.origin);
    event.waitUntil(openOrFocus(worker.clients, url));
  });
}
