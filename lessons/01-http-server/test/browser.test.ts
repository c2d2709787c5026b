import { closeAll, startLesson } from '@lessons/test-kit';
import { changedText, useBrowser } from '@lessons/test-kit/browser';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '#target/app.ts';

const browser = useBrowser();
afterEach(closeAll);

describe('the demo page in Chromium', () => {
  it('shows its welcome id, the socket.id, and the upgrade to WebSocket', async () => {
    const lesson = await startLesson(createApp);
    const page = await browser().newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const response = await page.goto(lesson.url);
    expect(response?.status()).toBe(200);

    // Connected, or refused with the reason: the status line says which.
    expect(await changedText(page, '#status', 'connecting…')).toBe('connected');
    await expect.poll(() => page.textContent('#transport')).toBe('websocket');
    const [serverSide] = await lesson.io.fetchSockets();
    expect(await page.textContent('#welcome-id')).toBe(serverSide?.id);
    expect(await page.evaluate('socket.id')).toBe(serverSide?.id);
    const log = await page.textContent('#log');
    expect(log).toContain('open over polling');
    expect(log).toContain('upgrade to websocket');
    expect(errors).toEqual([]);
    await page.close();
  });
});
