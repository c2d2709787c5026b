import { closeAll } from '@lessons/test-kit';
import { changedText, useBrowser } from '@lessons/test-kit/browser';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { lineWith, start } from './helpers.ts';

const browser = useBrowser();
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
      { timeout: 2000 },
    )
    .catch(async () => {
      const shown = await page.textContent(selector);
      const what = `${selector} on the demo page shows "${shown}"`;
      if (typeof expected === 'string') expect(shown, what).toBe(expected);
      else expect(shown, what).toMatch(expected);
    });
}

describe('the demo page in Chromium', () => {
  it('sends a message written while disconnected, binary arguments and a sum with an ack, and shows each answer', async () => {
    const page = await browser().newPage();
    // force: skip Playwright's wait for each button to stop moving; nothing on this page moves.
    const press = (selector: string) => page.click(selector, { force: true });
    const lesson = await start();
    const { lines } = lesson;
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(lesson.url);
    expect(await changedText(page, '#status', 'connecting…', 2000), "the page's status").toBe(
      'connected',
    );

    // Written while disconnected: the client buffers it and sends it on connect.
    await press('#disconnect');
    await shows(page, '#status', 'disconnected (io client disconnect)');
    await press('#send'); // the field holds "Hello!"
    await press('#connect');
    await shows(page, '#message-echo', '"Hello!"');

    await press('#emit');
    await shows(page, '#greetings', /ArrayBuffer/);
    expect(await page.locator('#greetings li').allTextContents(), "the page's greetings").toEqual([
      'string "Hello!"',
      'object {"mr":"john"}',
      'binary ArrayBuffer(4) [1, 2, 3, 4]',
    ]);

    await press('#sum'); // the field holds "1, 2, 3.5"
    await shows(page, '#sum-result', '{"sum":6.5}');

    const [serverSide] = await lesson.io.fetchSockets();
    expect(await page.textContent('#socket-id'), "the page's socket.id").toBe(serverSide?.id);
    expect(
      await page.textContent('#whoareyou'),
      "the page's whoareyou line: did the server ask it?",
    ).toContain('answered "the demo page"');
    expect(lines, `a log line with "${serverSide?.id}" then "the demo page"`).toContainEqual(
      lineWith(`${serverSide?.id}`, 'the demo page'),
    );
    expect(errors, 'errors thrown in the page').toEqual([]);
    await page.close();
  });
});
