import { chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, launchBrowser } from '../browser.ts';

describe('launchBrowser() with CHROMIUM_WS_ENDPOINT', () => {
  afterEach(() => {
    delete process.env.CHROMIUM_WS_ENDPOINT;
  });

  it('connects to the Chromium already running, and close() leaves that Chromium running', async () => {
    const server = await chromium.launchServer({
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    });
    try {
      process.env.CHROMIUM_WS_ENDPOINT = server.wsEndpoint();
      const first = await launchBrowser();
      const page = await first.newPage();
      expect(await page.evaluate(() => 6 * 7)).toBe(42);
      await first.close();

      const second = await launchBrowser();
      expect(second.isConnected()).toBe(true);
      await second.close();
    } finally {
      await server.close();
    }
  });
});
