import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium, headless, started as the project's CI runs it (no sandbox as root, nothing that
 * reaches the network on its own).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
