/**
 * @module
 * Debian's Chromium through playwright-core (Playwright's own browser download is not available
 * here). The fake camera plays a Y4M file in a loop through getUserMedia.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const hasChromium = (): boolean => existsSync(CHROMIUM);

export function launchChromium(options: { fakeCamera: string; webgpu?: boolean }): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      // Chromium answers NotFoundError for a relative path, whatever its working directory.
      `--use-file-for-fake-video-capture=${resolve(options.fakeCamera)}`,
      ...(options.webgpu ? ["--enable-unsafe-webgpu"] : []),
    ],
  });
}
