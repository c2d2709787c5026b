import { closeAll, startLesson } from '@lessons/test-kit';
import { changedText, useBrowser } from '@lessons/test-kit/browser';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '#target/app.ts';
import { WAIT_MS } from './helpers.ts';

const browser = useBrowser();
afterEach(closeAll);

/**
 * A page in its own browser context (its own cookie jar, like a second
 * browser), logged in; its script errors, from the first load on, go to `errors`.
 */
async function logIn(
  url: string,
  username: string,
  password: string,
  errors: string[],
): Promise<Page> {
  const context = await browser().newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.fill('#username', username);
  await page.fill('#password', password);
  const [login] = await Promise.all([
    page.waitForResponse((response) => new URL(response.url()).pathname === '/login'),
    page.click('#login-form button'),
  ]);
  // A failed login fails here at once, with what the server said, not after a wait.
  expect(login.status(), `POST /login as ${username} answered ${await login.text()}`).toBe(200);
  // Connected, or refused with the server's reason: the status line says which.
  expect(await changedText(page, '#status', 'not connected', WAIT_MS)).toBe('connected');
  await expect.poll(() => page.textContent('#who'), { timeout: WAIT_MS }).toBe(username);
  return page;
}

async function say(page: Page, text: string) {
  await page.fill('#message', text);
  await page.click('#chat-form button');
}

describe('the demo page in Chromium', () => {
  it('logs alice and bob in, lets them chat, and shows alice’s socket closing when she logs out', async () => {
    const lesson = await startLesson(createApp);
    const errors: string[] = [];
    const [alice, bob] = await Promise.all([
      logIn(lesson.url, 'alice', 'wonderland', errors),
      logIn(lesson.url, 'bob', 'builder', errors),
    ]);

    // The cookie is HttpOnly: the page's scripts cannot read it.
    expect(await alice.evaluate(() => document.cookie)).toBe('');

    await say(alice, 'hello bob');
    await expect
      .poll(() => bob.textContent('#messages'), { timeout: WAIT_MS })
      .toContain('alice: hello bob');
    await say(bob, 'hi alice');
    await expect
      .poll(() => alice.textContent('#messages'), { timeout: WAIT_MS })
      .toContain('bob: hi alice');

    await alice.click('#logout');
    await expect
      .poll(() => alice.textContent('#status'), { timeout: WAIT_MS })
      .toBe('disconnected (io server disconnect)');
    expect(await alice.isVisible('#login-form')).toBe(true);
    expect(await bob.textContent('#status')).toBe('connected');
    expect(errors).toEqual([]);
    await Promise.all([alice.context().close(), bob.context().close()]);
  });
});
