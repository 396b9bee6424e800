/**
 * Every dashboard page at desktop and phone size (the `desktop` and `phone` projects), each
 * screenshot attached to the report and the page checked for what issue 13 found by eye: no tick
 * label twice on one axis, no text labels drawn over each other, legends filled at rest, and a
 * section nav that shows every section or scrolls to it (`support/layout-checks.ts`).
 */
import type { Page } from "@playwright/test";
import { type Dashboard, expect, test } from "./fixtures.ts";
import { attachShot, chartProblems, navProblems, recordCanvasText } from "./support/layout-checks.ts";

interface PageCase {
  name: string;
  path: (dashboard: Dashboard) => Promise<string> | string;
  /** Waits until the page shows its content (not its loading state). */
  ready: (page: Page, dashboard: Dashboard) => Promise<void>;
  /** Charts the page must draw (a page that silently drew none would pass every chart check). */
  charts?: number;
}

const PAGES: PageCase[] = [
  {
    name: "overview",
    path: () => "/streams",
    ready: (page, d) => page.getByTestId(`stream-row-${d.stream}`).waitFor(),
  },
  {
    name: "stream",
    path: (d) => `/streams/${d.stream}`,
    ready: (page) => page.getByTestId("change-points").waitFor(),
    charts: 6,
  },
  {
    // Where an incident's "Open the stream" link goes: its evidence with context around it.
    name: "stream-incident-range",
    path: async (d) => {
      const { items } = await d.api<{ items: { id: number; range: { from: string; to: string } }[] }>(
        "GET",
        `/v1/incidents?stream=${d.stream}`,
      );
      const incident = items[0];
      if (!incident) throw new Error(`the seeded stream ${d.stream} has no incident`);
      const query = new URLSearchParams({ ...incident.range, incident: String(incident.id) });
      return `/streams/${d.stream}?${query}`;
    },
    ready: (page) => page.getByTestId("change-points").waitFor(),
    charts: 6,
  },
  {
    name: "incidents",
    path: () => "/alerts",
    ready: async (page) => {
      const card = page.locator("article[data-incident-id]").first();
      await card.waitFor();
      await card.getByText("How bad, and its timeline").click();
      await card.getByTestId("how-bad").waitFor();
      await page.getByTestId("activity-chart").locator("svg rect").first().waitFor();
    },
  },
  {
    name: "references",
    path: (d) => `/references?stream=${d.stream}`,
    ready: (page) => page.locator("article[data-version]").first().waitFor(),
  },
  {
    name: "verification",
    path: () => "/verification",
    ready: (page) => page.getByText("No verification runs yet").waitFor(),
  },
  {
    name: "settings",
    path: () => "/settings",
    ready: (page) => page.getByRole("form", { name: /^Settings of / }).waitFor(),
  },
];

for (const c of PAGES) {
  test(`${c.name}: screenshot, ticks, labels, legends and nav`, async ({ page, dashboard }, testInfo) => {
    await recordCanvasText(page);
    await page.goto(await c.path(dashboard));
    await c.ready(page, dashboard);
    // Every chart has drawn a frame (uPlot draws its axes' text in each).
    const canvases = page.locator(".uplot canvas");
    if (c.charts) await expect.poll(() => canvases.count()).toBeGreaterThanOrEqual(c.charts);
    await expect
      .poll(() =>
        canvases.evaluateAll(
          (all) => all.filter((x) => ((x as HTMLCanvasElement).__drawnText ?? []).length === 0).length,
        ),
      )
      .toBe(0);
    // No sideways scrolling at either size.
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
    ).toBeLessThanOrEqual(0);
    await attachShot(page, testInfo, c.name);
    expect(await chartProblems(page)).toEqual([]);
    expect(await navProblems(page)).toEqual([]);
  });
}

test.describe("pages outside the app", () => {
  test.use({ loggedIn: false });

  test("landing and login: screenshot, links to the dashboard", async ({ page }, testInfo) => {
    await page.goto("/");
    await page
      .getByRole("link", { name: /dashboard/i })
      .first()
      .waitFor();
    await attachShot(page, testInfo, "landing");
    await page.goto("/login");
    await page.getByRole("button", { name: "Log in" }).waitFor();
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
    ).toBeLessThanOrEqual(0);
    await attachShot(page, testInfo, "login");
  });
});
