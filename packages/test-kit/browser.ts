import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { chromiumMissing, type FoundChromium, findChromium, launchBrowser } from './chromium.ts';

export { CHROMIUM_ARGS, findChromium, launchBrowser } from './chromium.ts';

/**
 * Launch Chromium once for a test file and close it after the file's last
 * test. Returns an accessor, since the browser exists only once the file starts.
 * On a machine without Chromium, the tests of the enclosing suite are skipped,
 * each with the reason and the command that installs one.
 *
 * @example
 * const browser = useBrowser();
 * it('shows the welcome id', async () => {
 *   const page = await browser().newPage();
 * });
 */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  if (!process.env.CHROMIUM_WS_ENDPOINT && !requireChromium()) {
    return () => {
      throw new Error(chromiumMissing());
    };
  }
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

/**
 * The Chromium that `findChromium()` finds, for tests that launch it their own
 * way. On a machine without one, the tests of the enclosing suite are skipped,
 * each with the reason and the command that installs one; returns undefined.
 *
 * @example
 * const chromium = requireChromium();
 * it('…', () => chromium.launchServer({ executablePath: chromium?.path }));
 */
export function requireChromium(): FoundChromium | undefined {
  const found = findChromium();
  if (!found) {
    const reason = chromiumMissing();
    beforeEach((context) => context.skip(reason));
  }
  return found;
}

/**
 * The text of `selector` once it is no longer `initial`: for a status line
 * that says either "connected" or why not, so that a refused connection fails
 * a test as soon as the page shows the reason, not when a poll for
 * "connected" gives up.
 *
 * @example
 * expect(await changedText(page, '#status', 'not connected')).toBe('connected');
 */
export async function changedText(
  page: Page,
  selector: string,
  initial: string,
  timeout = 1000,
): Promise<string | null> {
  await expect.poll(() => page.textContent(selector), { timeout }).not.toBe(initial);
  return page.textContent(selector);
}
