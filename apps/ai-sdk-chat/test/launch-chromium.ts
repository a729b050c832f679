import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** The system Chromium (`apt-get install -y chromium`); playwright-core downloads no browser of its own. */
export const chromiumPath = '/usr/bin/chromium';

export const hasChromium = existsSync(chromiumPath);

export const chromiumSkipReason = `${chromiumPath} not found; install it with \`apt-get install -y chromium\``;

/** Headless, offline-friendly Chromium: no sandbox (containers run as root), no background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
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
