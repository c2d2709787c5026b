import { closeAll, startLesson } from '@lessons/test-kit';
import { changedText, useBrowser } from '@lessons/test-kit/browser';
import { afterEach, describe, expect, it } from 'vitest';
import { start } from './helpers.ts';

const browser = useBrowser();
afterEach(closeAll);

describe('the demo page in Chromium', () => {
  it('shows its welcome id, the socket.id, and the upgrade to WebSocket', async () => {
    const lesson = await start(startLesson);
    const page = await browser().newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const response = await page.goto(lesson.url);
    expect(response?.status(), 'GET / for the demo page: does the app serve publicDir?').toBe(200);

    // Connected, or refused with the reason: the status line says which.
    expect(await changedText(page, '#status', 'connecting…'), "the page's status line").toBe(
      'connected',
    );
    await expect
      .poll(() => page.textContent('#transport'), { message: "the page's transport" })
      .toBe('websocket');
    const [serverSide] = await lesson.io.fetchSockets();
    expect(
      await page.textContent('#welcome-id'),
      "the id the page shows from its welcome (– until one arrives): does io.on('connection', …) emit it?",
    ).toBe(serverSide?.id);
    expect(await page.evaluate('socket.id'), "the page's socket.id").toBe(serverSide?.id);
    const log = await page.textContent('#log');
    expect(log, "the page's log").toContain('open over polling');
    expect(log, "the page's log").toContain('upgrade to websocket');
    expect(errors, 'errors thrown in the page').toEqual([]);
    await page.close();
  });
});
