import { closeAll, startLesson } from '@lessons/test-kit';
import { changedText, useBrowser } from '@lessons/test-kit/browser';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '#target/app.ts';

const browser = useBrowser();
afterEach(closeAll);

describe('the demo page in Chromium', () => {
  it('shows a message said in one tab in the other tab in the room, and a whisper back', async () => {
    const lesson = await startLesson(createApp);
    const context = await browser().newContext();
    const errors: string[] = [];
    context.on('weberror', (error) => errors.push(error.error().message));
    const ana = await context.newPage();
    const ben = await context.newPage();
    await Promise.all([ana.goto(`${lesson.url}/?name=ana`), ben.goto(`${lesson.url}/?name=ben`)]);
    // Connected, or refused with the server's reason: the status line says which.
    const anaStatus = await changedText(ana, '#status', 'not connected');
    expect(anaStatus, `ana’s status line reads "${anaStatus}"`).toBe('connected as ana');
    const benStatus = await changedText(ben, '#status', 'not connected');
    expect(benStatus, `ben’s status line reads "${benStatus}"`).toBe('connected as ben');
    // The page shows the rooms its join('lobby') was answered with.
    await expect
      .poll(() => ana.textContent('#rooms'), { message: 'ana’s rooms on the page' })
      .toBe('lobby, user:ana');
    await expect
      .poll(() => ben.textContent('#rooms'), { message: 'ben’s rooms on the page' })
      .toBe('lobby, user:ben');

    // A background tab gets few animation frames, which Playwright's actions wait on.
    await ana.bringToFront();
    await ana.fill('#say [name="text"]', 'hello from ana');
    await ana.click('#say button');
    await expect
      .poll(() => ben.textContent('#log'), { message: 'ben’s log, after ana said in lobby' })
      .toContain('ana → lobby: hello from ana');
    await expect
      .poll(() => ana.textContent('#log'), { message: 'ana’s log: her say was answered ok' })
      .toContain('you → lobby: hello from ana');

    await ben.bringToFront();
    await ben.fill('#whisper [name="to"]', 'ana');
    await ben.fill('#whisper [name="text"]', 'hi ana');
    await ben.click('#whisper button');
    await expect
      .poll(() => ana.textContent('#log'), { message: 'ana’s log, after ben whispered to her' })
      .toContain('ben whispers: hi ana');
    expect(errors, 'errors thrown in the pages').toEqual([]);
    await context.close();
  });
});
