import { closeAll, startLesson } from '@lessons/test-kit';
import { changedText, useBrowser } from '@lessons/test-kit/browser';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '#target/app.ts';

const browser = useBrowser();
afterEach(closeAll);

describe('the demo page in Chromium', () => {
  it('lists the frames of the handshake and the upgrade, and decodes a frame with your Decoder', async () => {
    const lesson = await startLesson(createApp);
    const context = await browser().newContext();
    const errors: string[] = [];
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(lesson.url);
    await page.click('#connect button');
    const status = await changedText(page, '#status', 'not connected').catch(() => errors[0]);
    expect(status, `the status line reads "${status}"`).toBe('connected as ana');
    // The CONNECT with its auth payload went out, and the upgrade completed.
    await expect
      .poll(() => page.textContent('#frames'), { message: 'the frames listed on the page' })
      .toContain('→ polling: 40/chat,{"name":"ana"}');
    // The upgrade takes several round trips after the handshake.
    await expect
      .poll(() => page.textContent('#frames'), {
        message: 'the frames, after the upgrade',
        timeout: 4000,
      })
      .toContain('⇄ websocket: 5 done: → 2probe, ← 3probe, → 5');

    await page.click('#decode button');
    const decoded = await changedText(page, '#decoded', '–');
    expect(
      JSON.parse(decoded?.startsWith('{') ? decoded : '{}'),
      `what the page shows for 2/chat,1["say",…]: ${decoded}`,
    ).toEqual({ type: 2, nsp: '/chat', id: 1, data: ['say', { room: 'lobby', text: 'hi' }] });
    expect(errors, 'errors thrown in the page').toEqual([]);
    await context.close();
  });
});
