import { kitFor } from '@lessons/test-kit';
import { changedText, useBrowser } from '@lessons/test-kit/browser';
import { describe, expect, it } from 'vitest';
import { client, connected, say, start, useDbFiles } from './helpers.ts';

const browser = useBrowser();
const dbFile = useDbFiles();

describe('the demo page in Chromium', () => {
  it('cuts its connection on demand and comes back recovered, with the message it missed once', async (context) => {
    const kit = kitFor(context);
    const lesson = await start(kit, dbFile());
    const errors: string[] = [];
    const page = await browser().newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(lesson.url);
    await page.selectOption('select[name="token"]', 'token-ana');
    await page.click('#connect button[type="submit"]');
    expect(await changedText(page, '#status', 'not connected'), 'the page’s status').toBe(
      'connected',
    );
    // Once ana's page is in general (it joins on its first connection), ben says hello.
    const ben = client(kit, lesson, 'ben');
    await connected(ben.socket);
    await ben.socket.timeout(1000).emitWithAck('join', 'general');
    // The page joins general on its first connection: the answer, or the error, shows at once.
    expect(await changedText(page, '#rooms', '–'), 'the page’s rooms').toBe('general');
    const hello = await say(ben, { room: 'general', id: 'b1', text: 'hello' });
    expect(hello, 'the answer to ben’s hello').toMatchObject({ offset: 1 });
    await expect.poll(() => page.textContent('#offset'), { timeout: 1000 }).toBe('1');
    const id = await page.textContent('#socket-id');

    await page.click('#cut');
    await say(ben, { room: 'general', id: 'b2', text: 'while you were away' });
    await expect
      .poll(() => page.textContent('#messages'), { timeout: 2000 })
      .toBe('ben: helloben: while you were away');
    await expect.poll(() => page.textContent('#status'), { timeout: 2000 }).toBe('connected');
    expect(await page.textContent('#recovered'), 'recovered, as the page shows it').toBe('yes');
    expect(await page.textContent('#socket-id'), 'the socket.id after the cut').toBe(id);
    expect(await page.textContent('#offset'), 'the offset after the cut').toBe('2');
    expect(errors, 'script errors on the page').toEqual([]);
    await page.close();
  });
});
