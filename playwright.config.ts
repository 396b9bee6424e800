/**
 * Playwright Test for the dashboard journeys (`e2e/journeys/*.spec.ts`, `npx playwright test`):
 * Debian's Chromium through `launchOptions.executablePath` (no browser download), one real
 * `facedrift serve` seeded with a drifting stream for the whole run (`e2e/journeys/global-setup.ts`),
 * a trace and the HTML report kept when a test fails. The capture station (fake camera) and
 * replica journeys, which launch Chromium with flags of their own, still run under Vitest
 * (`e2e/*.e2e.test.ts`).
 */
import { defineConfig, devices } from "@playwright/test";
import { browserConfig } from "./e2e/support/browser-config.ts";

const desktop = { width: 1440, height: 900 };
const phone = { width: 390, height: 844 };
/** The journeys that only read the seeded server: every page at both sizes. */
const readOnly = /(dashboard|pages)\.spec\.ts$/;

export default defineConfig({
  testDir: "e2e/journeys",
  outputDir: "e2e/artifacts/test-results",
  globalSetup: "./e2e/journeys/global-setup.ts",
  // Seeding the server takes up to a minute on a loaded 2-core machine; a journey is seconds.
  timeout: 90_000,
  expect: { timeout: 15_000 },
  // One server for the run, and CI has two cores: the server, Chromium and the runner share them.
  workers: process.env.CI ? 1 : 2,
  forbidOnly: Boolean(process.env.CI),
  reporter: [["list"], ["html", { open: "never", outputFolder: "e2e/artifacts/playwright-report" }]],
  use: {
    ...devices["Desktop Chrome"],
    headless: true,
    launchOptions: { executablePath: browserConfig.executablePath, args: browserConfig.args },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    locale: "en-US",
  },
  projects: [
    { name: "desktop", testMatch: readOnly, use: { viewport: desktop } },
    {
      name: "phone",
      // Push notifications are a phone's: the service worker journey runs at this size only.
      testMatch: [readOnly, /push\.spec\.ts$/],
      use: { viewport: phone, deviceScaleFactor: 2 },
    },
    // Acknowledges and resolves the incident, activates another reference, changes settings: it
    // runs after the read-only journeys have seen the server as seeded.
    {
      name: "ops",
      testMatch: /dashboard-ops\.spec\.ts$/,
      dependencies: ["desktop", "phone"],
      use: { viewport: phone, deviceScaleFactor: 1 },
    },
  ],
});
