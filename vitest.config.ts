import { defineConfig } from "vitest/config";

/**
 * One Vitest run for every workspace. Many files start an embedded PostgreSQL (PGlite), a
 * server process or Chromium; on a 2-core CI machine running files in parallel, the defaults
 * (5 s per test, 10 s per hook) time out honest tests, so the limits are generous and each slow
 * test still names its own tighter bound where it matters.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // e2e/journeys/*.spec.ts are Playwright Test's (`npx playwright test`, after Vitest in `npm test`).
    exclude: [
      "**/node_modules/**",
      "**/build/**",
      "**/.svelte-kit/**",
      "scratch/**",
      "e2e/journeys/**/*.spec.ts",
    ],
  },
});
