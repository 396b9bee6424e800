/**
 * Browser settings for every journey in `e2e/`. The journeys run under Vitest and drive Debian's
 * Chromium through playwright-core: the Playwright test runner's own browser download cannot
 * reach its servers here, so this file holds what a `@playwright/test` config would — which
 * browser and how it is launched — for `e2e/support/chromium.ts` to use.
 */
export const browserConfig = {
  /** Debian's package; override with CHROMIUM_PATH. */
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  /**
   * As the machine probe launches it: headless, no sandbox (root in CI), and no background
   * networking, whose connections the closed network refuses many at a time.
   */
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
  /** Extra flags for the fake camera (getUserMedia plays a Y4M file in a loop). */
  fakeCameraArgs: (absoluteY4mPath: string) => [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    `--use-file-for-fake-video-capture=${absoluteY4mPath}`,
  ],
  /** Headless Chromium offers a WebGPU adapter (SwiftShader on CPU hosts) only with this flag. */
  webgpuArgs: ["--enable-unsafe-webgpu"],
};
