import { chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CHROMIUM_ARGS,
  changedText,
  launchBrowser,
  requireChromium,
  useBrowser,
} from '../browser.ts';

describe('launchBrowser() with CHROMIUM_WS_ENDPOINT', () => {
  const found = requireChromium();
  afterEach(() => {
    delete process.env.CHROMIUM_WS_ENDPOINT;
  });

  it('connects to the Chromium already running, and close() leaves that Chromium running', async () => {
    const server = await chromium.launchServer({
      executablePath: found?.path,
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

describe('changedText()', () => {
  const browser = useBrowser();
  const statusPage = async (script: string) => {
    const page = await browser().newPage();
    await page.setContent(`<p id="status">not connected</p><script>${script}</script>`);
    return page;
  };

  it('resolves with the new text as soon as it changes, refusal or not', async () => {
    const page = await statusPage(
      `setTimeout(() => { document.getElementById('status').textContent = 'refused: no session'; }, 50);`,
    );
    expect(await changedText(page, '#status', 'not connected')).toBe('refused: no session');
    await page.close();
  });

  it('fails at its timeout when the text never changes', async () => {
    const page = await statusPage('');
    await expect(changedText(page, '#status', 'not connected', 200)).rejects.toThrow(
      /not connected/,
    );
    await page.close();
  });
});
