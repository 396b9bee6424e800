/**
 * @module
 * Which browser every journey, fault test and chart benchmark launches, and how: Debian's Chromium
 * (no Playwright browser download here). `playwright.config.ts` hands it to Playwright Test's
 * `launchOptions`; the Vitest-driven journeys and benches launch it through playwright-core.
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
