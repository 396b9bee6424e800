/**
 * The dashboard in a real browser: Debian's headless Chromium against `facedrift serve` (built
 * web app and API on one origin) seeded with a drifting stream (`support/dashboard-fixture.ts`).
 * It logs in, opens the overview and the stream page on a desktop and a phone viewport, checks
 * that the charts carry the ADWIN change point and the flagged components, follows a deep link
 * to a time range, and saves screenshots under `e2e/artifacts/`.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserConfig } from "../playwright.config.ts";
import { hasChromium } from "./support/chromium.ts";
import { type DashboardFixture, startDashboardFixture } from "./support/dashboard-fixture.ts";

const ARTIFACTS = join(import.meta.dirname, "artifacts");
/** As the pages write counts (Chromium's locale here is en-US). */
const count = (n: number) => n.toLocaleString("en-US");

describe.skipIf(!hasChromium())("dashboard (Chromium, real API, drifting stream)", () => {
  let fixture: DashboardFixture;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    [fixture, browser] = await Promise.all([
      startDashboardFixture(),
      chromium.launch({ executablePath: browserConfig.executablePath, args: browserConfig.args }),
    ]);
    context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
  });

  const shot = (name: string) =>
    page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true });
  const streamUrl = (query = "") => `${fixture.baseUrl}/streams/${fixture.stream}${query}`;

  it("sends a visitor to the login, refuses a wrong password, then lands on the overview", async () => {
    await page.goto(streamUrl());
    await page.waitForURL((url) => url.pathname === "/login");
    expect(new URL(page.url()).searchParams.get("next")).toBe(`/streams/${fixture.stream}`);
    await page.getByLabel("E-mail").fill(fixture.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Wrong e-mail or password");
    await shot("login-error");
    await fixture.login(page);
    expect(pageErrors).toEqual([]);
  });

  it("shows every stream with its state, reference, last run, open incident and volume", async () => {
    await page.goto(`${fixture.baseUrl}/streams`);
    const lobby = page.getByTestId(`stream-row-${fixture.stream}`);
    const entrance = page.getByTestId(`stream-row-${fixture.quietStream}`);
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
    expect(await lobby.getByText(`${count(fixture.streamEmbeddings)}/h`).count()).toBe(1);
    await shot("overview");
    await lobby.getByRole("link", { name: fixture.stream }).click();
    await page.waitForURL((url) => url.pathname === `/streams/${fixture.stream}`);
  });

  it("draws the change point on PC1 and names the flagged components", async () => {
    await page.getByTestId("change-points").waitFor();
    expect(await page.getByTestId("range-total").textContent()).toBe(count(fixture.streamEmbeddings));
    // Every drift event of the stream is a change point: the camera swap moves PC1 and, since the
    // faces also got smaller and darker, the quality window (an input change) — all after the shift.
    const events = await fixture.api<{ items: { seq: number; signal: string }[] }>(
      "GET",
      `/v1/streams/${fixture.stream}/events`,
    );
    expect(events.items.length).toBeGreaterThanOrEqual(1);
    expect(events.items.every((e) => e.seq >= fixture.driftSeq)).toBe(true);
    expect(await page.getByTestId("change-point-count").textContent()).toBe(String(events.items.length));
    const changes = await page.getByTestId("change-points").textContent();
    expect(changes).toContain(`#${fixture.detectionSeq}`);
    // The detection is after the shift began, and on the chart's own description.
    expect(fixture.detectionSeq).toBeGreaterThanOrEqual(fixture.driftSeq);
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
    const snapshots = await fixture.api<{ snapshots: { runId: number; drift: boolean | null }[] }>(
      "GET",
      `/v1/streams/${fixture.stream}/pc1-snapshots?runs=8`,
    );
    expect(await panels.count()).toBe(snapshots.snapshots.length);
    expect(await panels.evaluateAll((li) => li.map((l) => Number(l.getAttribute("data-run"))))).toEqual(
      snapshots.snapshots.map((s) => s.runId),
    );
    expect(await panels.last().textContent()).toContain("drift");
    expect(await panels.first().locator("svg rect").count()).toBe(30);
    await shot("stream");
    expect(pageErrors).toEqual([]);
  });

  it("opens a deep-linked time range, empty or not, and picks a preset", async () => {
    const before = "?from=2026-01-01T00:00:00.000Z&to=2026-01-02T00:00:00.000Z";
    await page.goto(streamUrl(before));
    await page.getByText("No embeddings were seen in this range.").waitFor();
    await shot("stream-empty-range");
    // The empty state offers the day before the latest embedding: the drift is in it.
    await page.getByRole("button", { name: "Show the day before it" }).click();
    await page.getByTestId("change-points").waitFor();
    expect(page.url()).toContain("from=");
    await page.getByRole("button", { name: "1 h" }).click();
    await page.waitForURL((url) => url.searchParams.has("from") && !url.search.includes("2026-01-01"));
    await page.getByTestId("change-points").waitFor();
    expect(await page.getByTestId("range-total").textContent()).toBe(count(fixture.streamEmbeddings));
  });

  it("buckets a coarse view and still shows the change point and the latest window", async () => {
    await page.goto(streamUrl("?points=200"));
    await page.getByTestId("change-points").waitFor();
    expect(await page.getByTestId("bucketed").textContent()).toContain(
      `about ${Math.ceil(fixture.streamEmbeddings / 200)} per point`,
    );
    expect(await page.getByTestId("change-points").textContent()).toContain(`#${fixture.detectionSeq}`);
    // The histogram reads the latest run's window by itself when the view has no single embeddings.
    await page.getByTestId("pc1-histogram").locator("canvas").waitFor();
    await shot("stream-bucketed");
  });

  it("says so when a stream does not exist, and offers a new login when the session ends", async () => {
    await page.goto(`${fixture.baseUrl}/streams/no-such-stream`);
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toContain('stream "no-such-stream" does not exist');
    await shot("stream-not-found");
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
    await fixture.login(page);
  });

  it("works on a phone: no sideways scrolling, every chart inside the screen", async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    const overflow = () =>
      phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await phone.goto(`${fixture.baseUrl}/streams`);
    await phone.getByTestId(`stream-row-${fixture.stream}`).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: join(ARTIFACTS, "dashboard-phone-overview.png"), fullPage: true });
    await phone.goto(streamUrl());
    await phone.getByTestId("change-points").waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    const widths = await phone
      .locator("canvas")
      .evaluateAll((canvases) => canvases.map((c) => c.getBoundingClientRect().right));
    expect(widths.length).toBeGreaterThan(5);
    for (const right of widths) expect(right).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: join(ARTIFACTS, "dashboard-phone-stream.png"), fullPage: true });
    await phone.close();
  });

  it("logs out back to the login page", async () => {
    await page.goto(`${fixture.baseUrl}/streams`);
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    await page.goto(`${fixture.baseUrl}/streams`);
    await page.waitForURL((url) => url.pathname === "/login");
    expect(pageErrors).toEqual([]);
  });
});
