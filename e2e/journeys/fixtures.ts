/**
 * @module
 * Playwright Test fixtures for the dashboard journeys: `dashboard` (the seeded server global setup
 * started, and its API with the admin key) and `page` logged in as the dashboard user, each test
 * on a session of its own (some end theirs). Page script errors fail the test that raised them.
 */
import { existsSync } from "node:fs";
import { test as base, expect, type Page } from "@playwright/test";
import { browserConfig } from "../support/browser-config.ts";
import type { DashboardFixture } from "../support/dashboard-fixture.ts";

/** What global setup seeded, as the workers receive it: the fixture's data, without its methods. */
export type SeededDashboard = Omit<DashboardFixture, "api" | "login" | "close">;

export interface Dashboard extends SeededDashboard {
  /** Calls the API with the admin key; JSON in and out, throws on a non-2xx answer. */
  api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  /** Logs `page` in through the login form and waits for the overview. */
  login(page: Page): Promise<void>;
}

function dashboardFromEnv(): Dashboard {
  const raw = process.env.FACEDRIFT_E2E_FIXTURE;
  if (!raw) throw new Error("FACEDRIFT_E2E_FIXTURE is not set: run the journeys with `npx playwright test`");
  const seeded = JSON.parse(raw) as SeededDashboard;
  return {
    ...seeded,
    async api<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${seeded.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${seeded.apiKey}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await response.json()) as T;
      if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${JSON.stringify(json)}`);
      return json;
    },
    async login(page) {
      await page.goto(`${seeded.baseUrl}/login`);
      await page.getByLabel("E-mail").fill(seeded.email);
      await page.getByLabel("Password").fill(seeded.password);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.waitForURL((url) => url.pathname === "/streams");
    },
  };
}

export const test = base.extend<{ loggedIn: boolean }, { dashboard: Dashboard }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
  dashboard: [async ({}, use) => use(dashboardFromEnv()), { scope: "worker" }],
  baseURL: async ({ dashboard }, use) => use(dashboard.baseUrl),
  /** Whether `page` starts logged in (a session of its own); `test.use({ loggedIn: false })` not. */
  loggedIn: [true, { option: true }],
  page: async ({ page, dashboard, loggedIn }, use) => {
    test.skip(!existsSync(browserConfig.executablePath), `no Chromium at ${browserConfig.executablePath}`);
    if (loggedIn) {
      // Through the browser's own fetch, so the session cookie lands where the app reads it.
      await page.goto("/login");
      const status = await page.evaluate(
        async ({ email, password }) =>
          (
            await fetch("/v1/session", {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ email, password }),
            })
          ).status,
        { email: dashboard.email, password: dashboard.password },
      );
      expect(status, "logging in through POST /v1/session").toBe(200);
    }
    // Script errors from here on fail the test that raised them.
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await use(page);
    expect(errors, "script errors on the page").toEqual([]);
  },
});

export { expect };

/** As the pages write counts (Chromium's locale here is en-US). */
export const count = (n: number) => n.toLocaleString("en-US");
