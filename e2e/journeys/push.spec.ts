/**
 * Incidents as push notifications, in Debian's headless Chromium at phone size (the `phone`
 * project) against the real server global setup started and the built app: a push message goes straight to the app's service worker through the DevTools
 * protocol (`ServiceWorker.deliverPushMessage`; there is no push service here, so
 * `pushManager.subscribe()` never settles and is not used), the worker shows the notification,
 * and its click handler takes an open dashboard window to the alert's deep link.
 *
 * The payload is made by the server's own `pushPayload()`, the function the web-push channel
 * encrypts and sends, so the worker reads exactly what production pushes.
 */
import type { BrowserContext, CDPSession, Page } from "@playwright/test";
import { sampleNotification } from "../../server/src/alerts/testing/alert.ts";
import { incidentDashboardUrl } from "../../server/src/alerts/types.ts";
import { pushPayload } from "../../server/src/alerts/webpush/index.ts";
import { hasChromium } from "../support/chromium.ts";
import { expect, test } from "./fixtures.ts";

interface ShownNotification {
  title: string;
  body: string;
  tag: string;
  data: { url: string; incidentId: number | null; alertId: number | null };
}

/** The notifications the app's service worker is showing, read in the page. */
const shown = (page: Page) =>
  page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return (await registration.getNotifications()).map((n) => ({
      title: n.title,
      body: n.body,
      tag: n.tag,
      data: n.data,
    }));
  }) as Promise<ShownNotification[]>;

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test.describe.configure({ mode: "serial" });
test.skip(!hasChromium(), "no Chromium (CHROMIUM_PATH)");

let baseUrl: string;
let context: BrowserContext;
let page: Page;
let cdp: CDPSession;
let registrationId: string;

test.beforeAll(async ({ browser, dashboard }, testInfo) => {
  baseUrl = dashboard.baseUrl;
  context = await browser.newContext({
    viewport: testInfo.project.use.viewport ?? { width: 390, height: 844 },
  });
  await context.grantPermissions(["notifications"], { origin: baseUrl });
  page = await context.newPage();
  cdp = await context.newCDPSession(page);
  const registrations = new Map<string, string>();
  cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations: updated }) => {
    for (const r of updated) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
  });
  await cdp.send("ServiceWorker.enable");
  // Any page of the app registers the worker; the login page needs no session.
  await page.goto(`${baseUrl}/login`);
  // Controlled once installed (it precaches the capture station's files) and activated (claim).
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
    timeout: 120_000,
  });
  registrationId = await until(
    async () => registrations.get(`${baseUrl}/`) ?? "",
    (id) => id !== "",
    "the service worker registration",
  );
});

test.afterAll(async () => {
  await context?.close();
});

const deliver = (data: string) =>
  cdp.send("ServiceWorker.deliverPushMessage", { origin: baseUrl, registrationId, data });

test("shows the server's incident payload as a notification carrying the deep link", async () => {
  const sent = sampleNotification({ incident: { stream: "lobby" } });
  sent.dashboardUrl = incidentDashboardUrl(baseUrl, sent.incident);
  const payload = pushPayload(sent);
  await deliver(JSON.stringify(payload));

  const [notification, ...others] = await until(
    () => shown(page),
    (list) => list.length > 0,
    "the notification",
  );
  expect(others).toEqual([]);
  expect(notification).toEqual({
    title: payload.title,
    body: payload.body,
    tag: "facedrift-incident-12",
    data: { url: payload.url, incidentId: 12, alertId: 42 },
  });
  const link = new URL(notification!.data.url);
  expect(link.origin).toBe(baseUrl);
  expect(link.pathname).toBe("/streams/lobby");
  // The incident's evidence with 30 minutes of context on each side.
  expect(Object.fromEntries(link.searchParams)).toEqual({
    from: "2026-11-26T09:30:00.000Z",
    to: "2026-11-26T12:30:00.000Z",
    incident: "12",
  });

  // The same incident pushed again (a retried delivery, or its escalation) replaces its notification.
  await deliver(
    JSON.stringify(pushPayload({ ...sent, transition: "escalated", previousSeverity: "warning" })),
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(await shown(page)).toHaveLength(1);
});

test("a click on the notification takes the open dashboard window to the incident's time range", async () => {
  const [worker] = context.serviceWorkers();
  expect(worker).toBeDefined();
  const deepLink = (await shown(page))[0]!.data.url;
  // Headless Chromium has no notification UI to click: the worker's own handler receives a
  // notificationclick for its real notification. Untrusted events get no window focus or
  // openWindow (those need the user's click), so this checks the "steer an open window" path.
  await worker!.evaluate(async () => {
    // Typed by hand: the root tsconfig has the DOM lib, not the WebWorker one.
    const scope = self as unknown as {
      registration: ServiceWorkerRegistration;
      dispatchEvent(event: Event): boolean;
      NotificationEvent: new (type: string, init: { notification: Notification }) => Event;
    };
    const [notification] = await scope.registration.getNotifications();
    scope.dispatchEvent(new scope.NotificationEvent("notificationclick", { notification: notification! }));
  });
  const target = new URL(deepLink);
  // The stream page needs a login: the app sends the visitor to it with the deep link as `next`.
  await page.waitForURL(
    (url) =>
      (url.pathname === target.pathname && url.search === target.search) ||
      (url.pathname === "/login" && url.searchParams.get("next") === `${target.pathname}${target.search}`),
    { timeout: 30_000 },
  );
  expect(await shown(page)).toEqual([]);
  await test
    .info()
    .attach("after the notification click", { body: await page.screenshot(), contentType: "image/png" });
});

test("still notifies for a push that is not an alert payload, linking to the alert list", async () => {
  await deliver("maintenance window starts at 18:00");
  const [notification] = await until(
    () => shown(page),
    (list) => list.length > 0,
    "the notification",
  );
  expect(notification).toEqual({
    title: "Facedrift alert",
    body: "maintenance window starts at 18:00",
    tag: "facedrift-alert",
    data: { url: `${baseUrl}/alerts`, incidentId: null, alertId: null },
  });
});
