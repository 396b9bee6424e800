/**
 * @module
 * Debian's Chromium through playwright-core (Playwright's own browser download is not available
 * here). The fake camera plays a Y4M file in a loop through getUserMedia.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { browserConfig } from "./browser-config.ts";

export const CHROMIUM = browserConfig.executablePath;

export const hasChromium = (): boolean => existsSync(CHROMIUM);

export function launchChromium(options: { fakeCamera: string; webgpu?: boolean }): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      ...browserConfig.args,
      // Chromium answers NotFoundError for a relative path, whatever its working directory.
      ...browserConfig.fakeCameraArgs(resolve(options.fakeCamera)),
      ...(options.webgpu ? browserConfig.webgpuArgs : []),
    ],
  });
}
