/**
 * The dashboard's operations pages in Debian's headless Chromium, on a phone-sized viewport (the
 * `ops` project), against the real server global setup seeded with a drifting stream: incidents
 * (one per episode, its timeline of findings, a link to the stream over its evidence, acknowledge
 * and resolve with a note), references (compare two versions, activate one), verification, and
 * settings (stream schedule and rules, an alert channel tested against a real local webhook
 * receiver, an API key). The tests share one page, in order, as one operator would; this project
 * runs after the read-only ones since it changes the server. Screenshots go to the report.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "@playwright/test";
import { VerificationRunPageSchema } from "../../server/src/http/routes/verification-runs/schema.ts";
import { hasChromium } from "../support/chromium.ts";
import { expect, test } from "./fixtures.ts";
import { attachShot } from "./support/layout-checks.ts";

interface ApiIncident {
  id: number;
  stream: string;
  status: string;
  severity: string;
  findingCount: number;
  range: { from: string; to: string };
  history: { kind: string; note?: string }[];
}

test.describe.configure({ mode: "serial" });
test.skip(!hasChromium(), "no Chromium (CHROMIUM_PATH)");

let page: Page;
let receiver: Server;
const received: string[] = [];
const pageErrors: string[] = [];

test.beforeAll(async ({ browser, dashboard }, testInfo) => {
  // A real webhook receiver for the channel test: records each body and answers 200.
  receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      received.push(body);
      response.writeHead(200).end("ok");
    });
  });
  receiver.listen(0, "127.0.0.1");
  await once(receiver, "listening");
  const context = await browser.newContext({
    viewport: testInfo.project.use.viewport ?? { width: 390, height: 844 },
    deviceScaleFactor: 1,
    baseURL: dashboard.baseUrl,
  });
  page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("dialog", (dialog) => dialog.accept());
  await dashboard.login(page);
});

test.afterAll(async () => {
  await page?.context().close();
  receiver?.close();
});

test("shows the drifting stream's one incident with its timeline, and links to the stream over its evidence", async ({
  dashboard: fixture,
}, testInfo) => {
  const { items } = await fixture.api<{ items: ApiIncident[] }>("GET", "/v1/incidents?stream=lobby");
  // Every detector's finding on the shift is in one incident.
  expect(items).toHaveLength(1);
  const incident = items[0]!;
  const findings = await fixture.api<{ items: { incidentId: number }[] }>("GET", "/v1/alerts?stream=lobby");
  expect(findings.items.length).toBe(incident.findingCount);
  expect(findings.items.every((f) => f.incidentId === incident.id)).toBe(true);

  await page.goto(`${fixture.baseUrl}/alerts`);
  const card = page.locator(`article[data-incident-id="${incident.id}"]`);
  await card.waitFor();
  // Above the timeline, findings per day as bars: today's bar holds every finding of the fixture.
  const activity = await fixture.api<{
    bars: { findings: { info: number; warning: number; critical: number }; incidentsOpened: number }[];
  }>("GET", "/v1/alert-activity?bucket=day");
  const total = activity.bars.reduce(
    (n, b) => n + b.findings.info + b.findings.warning + b.findings.critical,
    0,
  );
  expect(total).toBeGreaterThanOrEqual(incident.findingCount);
  await page.getByTestId("activity-chart").locator("svg rect").first().waitFor();
  expect(await page.getByTestId("activity-totals").textContent()).toContain(`${total} findings`);
  await page.getByRole("button", { name: "Per hour" }).click();
  await page.getByText("Findings per hour").waitFor();
  await page.getByTestId("activity-chart").locator("svg rect").first().waitFor();
  await card.getByText(`Incident #${incident.id}`).waitFor();
  await card.getByText("How bad, and its timeline").click();
  // How bad, in numbers: the batch check's flagged components and MMD².
  await card
    .getByTestId("how-bad")
    .getByText(/components with PSI ≥ 0\.1/)
    .waitFor();
  const batch = card.locator("li.finding").filter({ hasText: "batch check (PSI/KS/MMD)" }).first();
  await batch.waitFor();
  expect(await batch.locator("dt").allTextContents()).toEqual(
    expect.arrayContaining(["max PSI", "MMD²", "p"]),
  );
  expect(await card.locator("li.finding").count()).toBe(incident.findingCount);
  const href = await card.getByRole("link", { name: /Open the stream/ }).getAttribute("href");
  const link = new URL(href!, fixture.baseUrl);
  expect(link.pathname).toBe("/streams/lobby");
  expect(link.searchParams.get("from")).toBe(incident.range.from);
  expect(link.searchParams.get("to")).toBe(incident.range.to);
  expect(link.searchParams.get("incident")).toBe(String(incident.id));
  await attachShot(page, testInfo, "ops-incidents");
  await page.setViewportSize({ width: 1280, height: 900 });
  await attachShot(page, testInfo, "ops-incidents-desktop");
  await page.setViewportSize({ width: 390, height: 844 });
  await card.getByRole("link", { name: /Open the stream/ }).click();
  await page.waitForURL((url) => url.pathname === "/streams/lobby" && url.search === link.search);
  await page.locator("main h1").first().waitFor();
  await attachShot(page, testInfo, "ops-incident-deep-link");
});

test("shows a failed load in the server's words and recovers on retry", async ({
  dashboard: fixture,
}, testInfo) => {
  let failures = 1;
  await page.route("**/v1/incidents?*", async (route) => {
    if (failures-- > 0) {
      await route.fulfill({
        status: 503,
        json: { error: { code: "unavailable", message: "the database is unavailable; retry shortly" } },
      });
    } else await route.continue();
  });
  try {
    await page.goto(`${fixture.baseUrl}/alerts`);
    const error = page.getByRole("alert").filter({ hasText: "Could not load this." });
    await error.getByText("the database is unavailable; retry shortly (503)").waitFor();
    await attachShot(page, testInfo, "ops-incidents-error");
    await error.getByRole("button", { name: "Try again" }).click();
    await page.locator("article[data-incident-id]").first().waitFor();
  } finally {
    await page.unroute("**/v1/incidents?*");
  }
});

test("acknowledges the incident with a note, then resolves it, which takes it off the active list", async ({
  dashboard: fixture,
}, testInfo) => {
  const { items } = await fixture.api<{ items: ApiIncident[] }>(
    "GET",
    "/v1/incidents?stream=lobby&status=open",
  );
  const target = items[0]!;
  await page.goto(`${fixture.baseUrl}/alerts`);
  const card = page.locator(`article[data-incident-id="${target.id}"]`);
  await card.getByPlaceholder(/Note/).fill("camera 1 was swapped at 09:40; checking the mount");
  await card.getByRole("button", { name: "Acknowledge" }).click();
  await card.getByText(/^Acknowledged .* by you\.$/).waitFor();
  const acked = await fixture.api<ApiIncident>("GET", `/v1/incidents/${target.id}`);
  expect(acked.status).toBe("acknowledged");
  expect(acked.history.at(-1)).toMatchObject({
    kind: "acknowledged",
    note: "camera 1 was swapped at 09:40; checking the mount",
  });
  await card.getByPlaceholder(/Note/).fill("mount fixed");
  await card.getByRole("button", { name: "Resolve" }).click();
  await card.getByText(/^Resolved .* by you\.$/).waitFor();
  await page.goto(`${fixture.baseUrl}/alerts?status=active`);
  await page.locator("article[data-incident-id], .empty").first().waitFor();
  expect(await page.locator(`article[data-incident-id="${target.id}"]`).count()).toBe(0);
  // The link every notification carries shows it whatever the filters, timeline open.
  await page.goto(`${fixture.baseUrl}/alerts?incident=${target.id}`);
  const linked = page.locator(`article[data-incident-id="${target.id}"]`);
  await linked.getByText("mount fixed").waitFor();
  await attachShot(page, testInfo, "ops-incident-resolved");
});

test("compares two reference versions and activates one", async ({ dashboard: fixture }, testInfo) => {
  // A second version, fitted on the drifted tail and left inactive, gives something to compare.
  await fixture.api("POST", "/v1/streams/lobby/reference", {
    last: 500,
    options: { seed: 9 },
    description: "refit after the camera swap",
    activate: false,
  });
  await page.goto(`${fixture.baseUrl}/references?stream=lobby`);
  await page.getByRole("region", { name: "Comparison" }).waitFor();
  expect(await page.locator("article[data-version]").count()).toBe(2);
  const compared = await page.getByRole("region", { name: "Comparison" }).locator("tbody tr").count();
  expect(compared).toBeGreaterThan(10);
  await attachShot(page, testInfo, "ops-references");
  await page.locator('article[data-version="2"]').getByRole("button", { name: "Activate" }).click();
  await page.locator('article[data-version="2"]').getByText("active", { exact: true }).waitFor();
  const { references } = await fixture.api<{ references: { version: number; active: boolean }[] }>(
    "GET",
    "/v1/streams/lobby/references",
  );
  expect(references.map((r) => [r.version, r.active])).toEqual([
    [2, true],
    [1, false],
  ]);
});

test("shows the verification page's empty state, and why a server run cannot be queued here", async ({
  dashboard: fixture,
}, testInfo) => {
  await page.goto(`${fixture.baseUrl}/verification`);
  await page.getByText("No verification runs yet").waitFor();
  // This server has no labelled set: its 409 is shown as it is, naming the setting to fix.
  await page.getByRole("button", { name: "Run verification" }).click();
  await page.getByRole("alert").filter({ hasText: "FACEDRIFT_VERIFICATION_PAIRS" }).waitFor();
  await attachShot(page, testInfo, "ops-verification-empty");
});

test("draws each model's AUC and EER history against its minimum AUC", async ({
  dashboard: fixture,
}, testInfo) => {
  // A served database cannot be given verification runs here (`facedrift verify --store` needs
  // the embedded database the server holds open), so the page gets them at the network edge,
  // checked against the server's own response schema first.
  const day = (n: number) => new Date(Date.UTC(2026, 10, 20 + n, 2)).toISOString();
  const run = (id: number, model: string, n: number, auc: number, eer: number) => ({
    id,
    stream: "lobby",
    model: { id: model, version: "1" },
    pairs: 600,
    skipped: id % 2 ? [{ left: "a.jpg", right: "b.jpg", reason: "right: no face" }] : [],
    auc,
    eer,
    tarAtFar: { "0.001": auc - 0.1, "0.01": auc - 0.04 },
    details: { minAuc: 0.98, genuine: 300, impostor: 300 },
    createdAt: day(n),
  });
  const aucs = [0.995, 0.994, 0.993, 0.99, 0.984, 0.976];
  const page1 = VerificationRunPageSchema.parse({
    items: [
      ...aucs.map((auc, n) => run(n + 1, "face-api-128", n, auc, 0.02 + (0.995 - auc) * 2)),
      ...[0.999, 0.998].map((auc, n) => run(n + 10, "arcface-r100", n * 3, auc, 0.008)),
    ].reverse(),
    nextBefore: null,
  });
  await page.route("**/v1/verification-runs?*", (route) => route.fulfill({ json: page1 }));
  try {
    await page.goto(`${fixture.baseUrl}/verification`);
    const faceApi = page.locator('section[data-model="face-api-128@1"]');
    await faceApi.waitFor();
    expect(await faceApi.getByRole("img", { name: "AUC over time" }).locator("circle").count()).toBe(6);
    await faceApi.getByText("below minimum AUC 0.98").waitFor();
    await page.locator('section[data-model="arcface-r100@1"]').getByText("above minimum AUC 0.98").waitFor();
    expect(await faceApi.locator("tbody tr").count()).toBe(6);
    await attachShot(page, testInfo, "ops-verification");
  } finally {
    await page.unroute("**/v1/verification-runs?*");
  }
});

test("saves a stream's schedule and alert rules, naming a bad field", async ({ dashboard: fixture }) => {
  // A phone subscribed earlier (its browser posted PushSubscription.toJSON()).
  await fixture.api("POST", "/v1/push/subscriptions", {
    endpoint: "https://fcm.googleapis.com/fcm/send/phone-of-the-on-call",
    keys: { p256dh: `B${"q".repeat(86)}`, auth: "a".repeat(22) },
  });
  await page.goto(`${fixture.baseUrl}/settings`);
  // Notifications are neither granted nor denied yet: the device can be subscribed.
  await page
    .locator('[data-push-state="off"]')
    .getByRole("button", { name: "Notify me on this device" })
    .waitFor();
  const form = page
    .getByRole("form", { name: "Settings of entrance" })
    .or(page.getByRole("form", { name: "Settings of lobby" }));
  await form.waitFor();
  await page.getByRole("combobox", { name: "Stream" }).selectOption("lobby");
  const lobby = page.getByRole("form", { name: "Settings of lobby" });
  await lobby.waitFor();
  await lobby.locator('input[name="schedule"]').fill("every day at noon");
  await lobby.getByRole("button", { name: "Save" }).click();
  await lobby
    .getByRole("alert")
    .filter({ hasText: /schedule|cron/i })
    .waitFor();
  await lobby.locator('input[name="schedule"]').fill("0 */6 * * *");
  await lobby.locator('input[name="psiRule"]').check();
  await lobby.locator('input[name="psiRuns"]').fill("3");
  await lobby.locator('input[name="retentionDays"]').fill("14");
  await lobby.locator('input[name="calmMinutes"]').fill("120");
  await lobby.locator('select[name="notifyFrom"]').selectOption("info");
  await lobby.locator('select[name="psiBins"]').selectOption("uniform-50");
  await lobby.getByRole("button", { name: "Save" }).click();
  await lobby.getByText("Saved").waitFor();
  expect(await fixture.api("GET", "/v1/streams/lobby/settings")).toEqual({
    schedule: "0 */6 * * *",
    windowSize: null,
    retentionDays: 14,
    psiBins: "uniform-50",
    // The form's "recommended" batch-check profile, saved as no override.
    checkProfile: null,
    alertRules: { calmMinutes: 120, notifyFrom: "info", psiPersistence: { threshold: 0.1, runs: 3 } },
  });
});

test("lists the subscribed devices and removes one", async ({ dashboard: fixture }) => {
  const device = page.locator('li[data-endpoint="https://fcm.googleapis.com/fcm/send/phone-of-the-on-call"]');
  await device.getByText("fcm.googleapis.com").waitFor();
  await device.getByRole("button", { name: "Remove" }).click();
  await page.getByText("No device is subscribed yet.").waitFor();
  expect(await fixture.api("GET", "/v1/push/subscriptions")).toEqual({ items: [] });
});

test("adds a webhook channel (refusing a short secret) and sends it a test alert", async () => {
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  await page.getByRole("button", { name: "Add channel" }).click();
  const form = page.getByRole("form", { name: "Add channel" });
  await form.getByRole("combobox").selectOption("webhook");
  await form.getByPlaceholder("e.g. on-call phones").fill("ops hook");
  await form.getByLabel("URL").fill(url);
  await form
    .getByLabel(/Signing secret/)
    .evaluate((input: HTMLInputElement) => input.removeAttribute("minlength"));
  await form.getByLabel(/Signing secret/).fill("short");
  await form.getByRole("button", { name: "Add channel" }).click();
  await form.getByRole("alert").filter({ hasText: /16/ }).waitFor();
  await form.getByLabel(/Signing secret/).fill("a-long-enough-shared-secret");
  await form.getByRole("button", { name: "Add channel" }).click();
  const row = page.locator('li[data-channel="ops hook"]');
  await row.waitFor();
  await row.getByRole("button", { name: "Send test" }).click();
  await row.getByText(/^Delivered after 1 attempt/).waitFor();
  expect(received).toHaveLength(1);
  expect(JSON.parse(received[0]!)).toMatchObject({
    event: "incident.opened",
    incident: { stream: "facedrift-test" },
  });
});

test("creates an API key for a device, shows its secret once, and revokes it", async ({
  dashboard: fixture,
}, testInfo) => {
  const create = page.getByRole("form", { name: "Create API key" });
  await create.getByPlaceholder("e.g. lobby camera 2").fill("lobby camera 2");
  await create.getByRole("button", { name: "Create key" }).click();
  const secret = await page
    .getByRole("status")
    .filter({ hasText: "lobby camera 2" })
    .locator("code")
    .textContent();
  expect(secret).toMatch(/^fd_/);
  const probe = await fetch(`${fixture.baseUrl}/v1/streams/lobby/embeddings`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify({ model: { id: "x", version: "1" }, items: [] }),
  });
  expect(probe.status).not.toBe(401);
  await attachShot(page, testInfo, "ops-settings");
  await page.locator("li", { hasText: "lobby camera 2" }).getByRole("button", { name: "Revoke" }).click();
  // Revoked keys are hidden until "Show revoked keys" is ticked.
  await page.locator("li", { hasText: "lobby camera 2" }).waitFor({ state: "detached" });
  const keys = await fixture.api<{ keys: { name: string; revokedAt: string | null }[] }>(
    "GET",
    "/v1/api-keys",
  );
  expect(keys.keys.find((key) => key.name === "lobby camera 2")?.revokedAt).toEqual(expect.any(String));
});

test("raised no script errors on any page", () => {
  expect(pageErrors).toEqual([]);
});
