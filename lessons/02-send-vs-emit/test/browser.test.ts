import { closeAll, startLesson } from '@lessons/test-kit';
import { launchBrowser } from '@lessons/test-kit/browser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '#target/app.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());
afterEach(closeAll);

/** Wait, inside the page, until `selector` shows `expected`; on timeout, fail with what it shows. */
async function shows(page: Page, selector: string, expected: string | RegExp) {
  const wanted = typeof expected === 'string' ? { text: expected } : { source: expected.source };
  await page
    .waitForFunction(
      ({ selector, wanted }) => {
        const text = document.querySelector(selector)?.textContent ?? '';
        return 'text' in wanted ? text === wanted.text : new RegExp(wanted.source).test(text);
      },
      { selector, wanted },
      { timeout: 1000 },
    )
    .catch(async () => {
      if (typeof expected === 'string') expect(await page.textContent(selector)).toBe(expected);
      else expect(await page.textContent(selector)).toMatch(expected);
    });
}

describe('the demo page in Chromium', () => {
  it('sends a message, an event with binary and a sum with an ack, and shows what came back', async () => {
    const lines: string[] = [];
    const lesson = await startLesson(createApp, { log: (line: string) => lines.push(line) });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(lesson.url);
    await shows(page, '#status', 'connected');

    await page.click('#send'); // the field holds "Hello!"
    await shows(page, '#message-echo', '"Hello!"');

    await page.click('#emit');
    await shows(page, '#greetings', /ArrayBuffer/);
    expect(await page.locator('#greetings li').allTextContents()).toEqual([
      'string "Hello!"',
      'object {"mr":"john"}',
      'binary ArrayBuffer(4) [1, 2, 3, 4]',
    ]);

    await page.click('#sum'); // the field holds "1, 2, 3.5"
    await shows(page, '#sum-result', '{"sum":6.5}');
    await page.fill('#numbers', '1, two');
    await page.click('#sum');
    await shows(page, '#sum-result', /^\{"error":".*item 1 is a string/);

    const [serverSide] = await lesson.io.fetchSockets();
    expect(await page.textContent('#socket-id')).toBe(serverSide?.id);
    expect(await page.textContent('#whoareyou')).toContain('answered "the demo page"');
    expect(lines.some((line) => line.includes('the demo page'))).toBe(true);

    // Sent while disconnected: buffered by the client, delivered on connect.
    await page.click('#disconnect');
    await shows(page, '#status', 'disconnected (io client disconnect)');
    await page.fill('#message-text', 'sent while offline');
    await page.click('#send');
    await page.click('#connect');
    await shows(page, '#message-echo', '"sent while offline"');
    expect(errors).toEqual([]);
    await page.close();
  });
});
