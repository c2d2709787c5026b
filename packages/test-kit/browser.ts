import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/** Debian's Chromium by default; set CHROMIUM_PATH to use another build. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags this sandboxed, offline machine needs. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launch headless Chromium with the flags this sandboxed, offline machine
 * needs. Close it in `afterAll`.
 *
 * When `CHROMIUM_WS_ENDPOINT` names a Chromium already running (a
 * `chromium.launchServer()`, as `pnpm grade` starts one for a whole class),
 * connect to it instead: `close()` then ends the connection and its pages,
 * not that browser.
 *
 * @example
 * const browser = await launchBrowser();
 * const page = await browser.newPage();
 */
export async function launchBrowser(): Promise<Browser> {
  const endpoint = process.env.CHROMIUM_WS_ENDPOINT;
  if (endpoint) return chromium.connect(endpoint);
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium was not found at ${CHROMIUM_PATH}. Install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary.`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/**
 * Launch Chromium once for a test file and close it after the file's last
 * test. Returns an accessor, since the browser exists only once the file starts.
 *
 * @example
 * const browser = useBrowser();
 * it('shows the welcome id', async () => {
 *   const page = await browser().newPage();
 * });
 */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser)
      throw new Error('useBrowser(): Chromium is not running yet; call browser() in a test');
    return browser;
  };
}
