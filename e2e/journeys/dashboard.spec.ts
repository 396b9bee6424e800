/**
 * The dashboard in Debian's headless Chromium against `facedrift serve` (built web app and API on
 * one origin) seeded with a drifting stream (`global-setup.ts`), at desktop and phone size (the
 * `desktop` and `phone` projects): it logs in, opens the overview and the stream page, checks that
 * the charts carry the ADWIN change point and the flagged components, follows a deep link to a
 * time range, and attaches a screenshot of each page to the report.
 */
import { count, type Dashboard, expect, test } from "./fixtures.ts";
import { attachShot } from "./support/layout-checks.ts";

const streamPath = (dashboard: Dashboard, query = "") => `/streams/${dashboard.stream}${query}`;

test.describe("a visitor", () => {
  test.use({ loggedIn: false });

  test("is sent to the login, refused with a wrong password, then lands on the overview", async ({
    page,
    dashboard,
  }, testInfo) => {
    await page.goto(streamPath(dashboard));
    await page.waitForURL((url) => url.pathname === "/login");
    expect(new URL(page.url()).searchParams.get("next")).toBe(`/streams/${dashboard.stream}`);
    await page.getByLabel("E-mail").fill(dashboard.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Wrong e-mail or password");
    await attachShot(page, testInfo, "login-error");
    await dashboard.login(page);
  });
});

test("shows every stream with its state, reference, last run, open incident and volume", async ({
  page,
  dashboard,
}, testInfo) => {
  await page.goto("/streams");
  const lobby = page.getByTestId(`stream-row-${dashboard.stream}`);
  const entrance = page.getByTestId(`stream-row-${dashboard.quietStream}`);
  await lobby.waitFor();
  expect(await lobby.locator("[data-state]").getAttribute("data-state")).toBe("drifting");
  expect(await entrance.locator("[data-state]").getAttribute("data-state")).toBe("ok");
  expect(await lobby.getByText("drift confirmed").count()).toBe(1);
  expect(await entrance.getByText("no drift").count()).toBe(1);
  // The drifting stream's one incident, linked; the quiet one has none.
  expect(await lobby.getByRole("link", { name: /^#\d+ (warning|critical)$/ }).count()).toBe(1);
  expect(await entrance.getByText("none", { exact: true }).count()).toBeGreaterThan(0);
  expect(await page.getByTestId("drifting-count").textContent()).toBe("1");
  // Every embedding arrived within the hour.
  expect(await lobby.getByText(`${count(dashboard.streamEmbeddings)}/h`).count()).toBe(1);
  await attachShot(page, testInfo, "overview");
  await lobby.getByRole("link", { name: dashboard.stream }).click();
  await page.waitForURL((url) => url.pathname === `/streams/${dashboard.stream}`);
});

test("draws the change point on PC1 and names the flagged components", async ({
  page,
  dashboard,
}, testInfo) => {
  await page.goto(streamPath(dashboard));
  await page.getByTestId("change-points").waitFor();
  expect(await page.getByTestId("range-total").textContent()).toBe(count(dashboard.streamEmbeddings));
  // Every drift event of the stream is a change point: the camera swap moves PC1 and, since the
  // faces also got smaller and darker, the quality window (an input change) — all after the shift.
  const events = await dashboard.api<{ items: { seq: number; signal: string }[] }>(
    "GET",
    `/v1/streams/${dashboard.stream}/events`,
  );
  expect(events.items.length).toBeGreaterThanOrEqual(1);
  expect(events.items.every((e) => e.seq >= dashboard.driftSeq)).toBe(true);
  expect(await page.getByTestId("change-point-count").textContent()).toBe(String(events.items.length));
  const changes = await page.getByTestId("change-points").textContent();
  expect(changes).toContain(`#${dashboard.detectionSeq}`);
  // The detection is after the shift began, and on the chart's own description.
  expect(dashboard.detectionSeq).toBeGreaterThanOrEqual(dashboard.driftSeq);
  expect(await page.getByTestId("pc1-chart").getAttribute("aria-label")).toContain(
    `${events.items.length} change points`,
  );
  expect(await page.getByTestId("pc1-chart").locator("canvas").count()).toBe(1);

  // The latest run (after the shift) flags PC1 by PSI; its components are listed flagged first.
  const flagged = (await page.getByTestId("flagged-dimensions").textContent()) ?? "";
  expect(flagged).toMatch(/^flagged: PC\d+/);
  expect(flagged).toContain("PC1");
  const firstRow = page.getByTestId("component-table").locator("tbody tr").first();
  expect(await firstRow.getByText("PSI", { exact: true }).count()).toBe(1);
  for (const chart of ["psi-chart", "mmd-chart", "novelty-chart", "pc1-histogram", "quality-faceSize"]) {
    expect(await page.getByTestId(chart).locator("canvas").count(), chart).toBe(1);
  }

  // Why: the faces got smaller and darker at the change point (the fixture's camera swap).
  const shift = page.getByTestId("quality-shift");
  const percent = async (signal: string) =>
    Number.parseInt(
      ((await shift.locator("tr", { hasText: signal }).locator("td").last().textContent()) ?? "").trim(),
      10,
    );
  expect(await percent("Face size")).toBeLessThan(-20);
  expect(await percent("Brightness")).toBeLessThan(-20);

  // PC1 histograms of every batch window, oldest first, the ones after the shift marked drift.
  const panels = page.getByTestId("pc1-snapshots").locator("li");
  await panels.first().waitFor();
  const snapshots = await dashboard.api<{ snapshots: { runId: number; drift: boolean | null }[] }>(
    "GET",
    `/v1/streams/${dashboard.stream}/pc1-snapshots?runs=8`,
  );
  expect(await panels.count()).toBe(snapshots.snapshots.length);
  expect(await panels.evaluateAll((li) => li.map((l) => Number(l.getAttribute("data-run"))))).toEqual(
    snapshots.snapshots.map((s) => s.runId),
  );
  expect(await panels.last().textContent()).toContain("drift");
  expect(await panels.first().locator("svg rect").count()).toBe(30);
  await attachShot(page, testInfo, "stream");
});

test("opens a deep-linked time range, empty or not, and picks a preset", async ({
  page,
  dashboard,
}, testInfo) => {
  const before = "?from=2026-01-01T00:00:00.000Z&to=2026-01-02T00:00:00.000Z";
  await page.goto(streamPath(dashboard, before));
  await page.getByText("No embeddings were seen in this range.").waitFor();
  await attachShot(page, testInfo, "stream-empty-range");
  // The empty state offers the day before the latest embedding: the drift is in it.
  await page.getByRole("button", { name: "Show the day before it" }).click();
  await page.getByTestId("change-points").waitFor();
  expect(page.url()).toContain("from=");
  await page.getByRole("button", { name: "1 h" }).click();
  await page.waitForURL((url) => url.searchParams.has("from") && !url.search.includes("2026-01-01"));
  await page.getByTestId("change-points").waitFor();
  expect(await page.getByTestId("range-total").textContent()).toBe(count(dashboard.streamEmbeddings));
});

test("buckets a coarse view and still shows the change point and the latest window", async ({
  page,
  dashboard,
}, testInfo) => {
  await page.goto(streamPath(dashboard, "?points=200"));
  await page.getByTestId("change-points").waitFor();
  expect(await page.getByTestId("bucketed").textContent()).toContain(
    `about ${Math.ceil(dashboard.streamEmbeddings / 200)} per point`,
  );
  expect(await page.getByTestId("change-points").textContent()).toContain(`#${dashboard.detectionSeq}`);
  // The histogram reads the latest run's window by itself when the view has no single embeddings.
  await page.getByTestId("pc1-histogram").locator("canvas").waitFor();
  await attachShot(page, testInfo, "stream-bucketed");
});

test("says so when a stream does not exist, and offers a new login when the session ends", async ({
  page,
  dashboard,
}, testInfo) => {
  await page.goto("/streams/no-such-stream");
  await expect
    .poll(() => page.getByRole("alert").textContent())
    .toContain('stream "no-such-stream" does not exist');
  await attachShot(page, testInfo, "stream-not-found");
  // The session ends elsewhere (another tab logs out): the next load explains and links back.
  const csrf = await page.evaluate(
    async () => ((await (await fetch("/v1/session")).json()) as { csrfToken: string }).csrfToken,
  );
  await page.evaluate(async (token) => {
    await fetch("/v1/session", { method: "DELETE", headers: { "x-csrf-token": token } });
  }, csrf);
  await page.getByRole("button", { name: "Try again" }).click();
  await page.getByRole("link", { name: "Log in again" }).click();
  await page.waitForURL((url) => url.pathname === "/login");
  expect(new URL(page.url()).searchParams.get("next")).toBe("/streams/no-such-stream");
  await dashboard.login(page);
});

test("works on a phone: no sideways scrolling, every chart inside the screen", async ({
  page,
  dashboard,
}, testInfo) => {
  test.skip(testInfo.project.name !== "phone", "a phone-sized viewport only");
  const width = page.viewportSize()?.width ?? 0;
  expect(width).toBe(390);
  const overflow = () =>
    page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.goto("/streams");
  await page.getByTestId(`stream-row-${dashboard.stream}`).waitFor();
  expect(await overflow()).toBeLessThanOrEqual(0);
  await page.goto(streamPath(dashboard));
  await page.getByTestId("change-points").waitFor();
  expect(await overflow()).toBeLessThanOrEqual(0);
  const rights = await page
    .locator("canvas")
    .evaluateAll((canvases) => canvases.map((c) => c.getBoundingClientRect().right));
  expect(rights.length).toBeGreaterThan(5);
  for (const right of rights) expect(right).toBeLessThanOrEqual(width);
});

test("logs out back to the login page", async ({ page }) => {
  await page.goto("/streams");
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL((url) => url.pathname === "/login");
  await page.goto("/streams");
  await page.waitForURL((url) => url.pathname === "/login");
});
