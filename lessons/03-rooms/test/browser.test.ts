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
    expect(await changedText(ana, '#status', 'not connected')).toBe('connected as ana');
    expect(await changedText(ben, '#status', 'not connected')).toBe('connected as ben');
    await expect.poll(() => ana.textContent('#rooms')).toBe('lobby, user:ana');
    await expect.poll(() => ben.textContent('#rooms')).toBe('lobby, user:ben');

    // A background tab gets few animation frames, which Playwright's actions wait on.
    await ana.bringToFront();
    await ana.fill('#say [name="text"]', 'hello from ana');
    await ana.click('#say button');
    await expect.poll(() => ben.textContent('#log')).toContain('ana → lobby: hello from ana');
    await expect.poll(() => ana.textContent('#log')).toContain('you → lobby: hello from ana');

    await ben.bringToFront();
    await ben.fill('#whisper [name="to"]', 'ana');
    await ben.fill('#whisper [name="text"]', 'hi ana');
    await ben.click('#whisper button');
    await expect.poll(() => ana.textContent('#log')).toContain('ben whispers: hi ana');
    expect(errors).toEqual([]);
    await context.close();
  });
});
