import { kitFor } from '@lessons/test-kit';
import { useBrowser } from '@lessons/test-kit/browser';
import type { Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { createApp } from '#target/app.ts';

const browser = useBrowser();

/** Click a shout button. A background tab gets few animation frames, which Playwright's clicks wait on. */
async function shout(page: Page, target: string, text: string) {
  await page.bringToFront();
  await page.fill('#shout [name="text"]', text);
  await page.click(`#targets button[value="${target}"]`);
}

// Side by side, each on a kit of its own: a starter's failures wait out their polls together.
describe.concurrent('the demo page in Chromium', () => {
  it('shows a socket.to(room) shout in the other tab of the room only', async ({
    expect,
    onTestFinished,
  }) => {
    const lesson = await kitFor({ onTestFinished }).startLesson(createApp);
    const pages = await browser().newContext();
    const errors: string[] = [];
    pages.on('weberror', (error) => errors.push(error.error().message));
    const ana = await pages.newPage();
    const ben = await pages.newPage();
    await Promise.all([
      ana.goto(`${lesson.url}/?name=ana&rooms=red`),
      ben.goto(`${lesson.url}/?name=ben&rooms=red,blue`),
    ]);
    await expect.poll(() => ana.textContent('#rooms'), { message: "ana's rooms" }).toBe('red');
    await expect
      .poll(() => ben.textContent('#rooms'), { message: "ben's rooms" })
      .toBe('blue, red');

    await shout(ana, 'room-others', 'hello, red');
    await expect
      .poll(() => ben.textContent('#log'), { message: "ben's log, after ana's room-others shout" })
      .toContain('ana → room-others: hello, red');
    // Messages to one tab arrive in order: once ana sees her note to herself,
    // the room-others shout sent before it would have arrived too.
    await shout(ana, 'self', 'note to self');
    await expect
      .poll(() => ana.textContent('#log'), { message: "ana's log, after her shout to self" })
      .toContain('ana → self: note to self');
    expect(await ana.textContent('#log'), "ana's log: her own room-others shout").not.toContain(
      'hello, red',
    );
    expect(errors, 'errors on the pages').toEqual([]);
    await pages.close();
  });

  it('ends a tab on bye', async ({ expect, onTestFinished }) => {
    const lesson = await kitFor({ onTestFinished }).startLesson(createApp);
    const pages = await browser().newContext();
    const errors: string[] = [];
    pages.on('weberror', (error) => errors.push(error.error().message));
    const ben = await pages.newPage();
    await ben.goto(`${lesson.url}/?name=ben&rooms=red,blue`);
    await expect
      .poll(() => ben.textContent('#rooms'), { message: "ben's rooms" })
      .toBe('blue, red');

    await ben.click('#bye');
    await expect
      .poll(() => ben.textContent('#status'), { message: "ben's status, after he clicked bye" })
      .toBe('disconnected (io server disconnect)');
    expect(errors, 'errors on the page').toEqual([]);
    await pages.close();
  });
});
