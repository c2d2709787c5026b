// The demo page in Chromium, on the deployment `pnpm lesson 7` starts, with 2
// workers instead of 3 (fewer processes to start): cluster workers behind the
// sticky primary, the cluster adapter, and the sessions in the primary (no Redis).
import { useBrowser } from '@lessons/test-kit/browser';
import type { ServerProcess } from '@lessons/test-kit/server-process';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_STARTUP_MS, startLessonServer, stopAll, WAIT_MS } from './scaled.ts';

let cluster: ServerProcess | undefined;
let starting: Promise<ServerProcess> | undefined;
// Started before Chromium, not awaited here: the two start side by side.
beforeAll(() => {
  starting = startLessonServer({ WORKERS: '2' });
  starting.catch(() => {}); // awaited below, where its failure is reported
});
const browser = useBrowser();
beforeAll(async () => {
  cluster = await starting;
}, CLUSTER_STARTUP_MS + 5000);
afterAll(() => stopAll([cluster], undefined));

/** A tab in a browser context of its own (its own cookie), logged in as `username`. */
async function tab(username: string, errors: string[]): Promise<{ page: Page; worker: string }> {
  const context = await browser().newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(`${username}: ${error.message}`));
  await page.goto(cluster?.url ?? '');
  await page.fill('#username', username);
  const [login] = await Promise.all([
    page.waitForResponse((response) => new URL(response.url()).pathname === '/login'),
    page.click('#login-form button'),
  ]);
  expect(login.status(), `POST /login as ${username} answered ${await login.text()}`).toBe(200);
  try {
    await expect.poll(() => page.textContent('#worker'), { timeout: WAIT_MS }).toMatch(/^\d+$/);
  } catch {
    // What the page shows now: "refused: …", a reconnection, or nothing at all.
    throw new Error(
      `${username}'s tab: expected "served by worker <pid>" within ${WAIT_MS} ms; the page shows worker "${await page.textContent('#worker')}" and socket "${await page.textContent('#status')}"`,
    );
  }
  return { page, worker: (await page.textContent('#worker')) ?? '' };
}

describe('the demo page, on 2 cluster workers without Redis', () => {
  it('shows which worker serves each tab, and a message reaches the tabs of every worker', async () => {
    const errors: string[] = [];
    // One after the other: the primary gives each new session to the least busy worker.
    const tabs = [];
    for (const name of ['ana', 'ben', 'cy']) tabs.push(await tab(name, errors));
    const workers = new Set(tabs.map(({ worker }) => worker));
    expect(workers.size, `the workers 3 tabs reached: ${[...workers]}`).toBe(2);

    const [ana] = tabs as [(typeof tabs)[number]];
    await ana.page.fill('#message', 'hello from the browser');
    await ana.page.click('#chat-form button');
    for (const [i, { page }] of tabs.entries()) {
      await expect
        .poll(() => page.textContent('#messages'), {
          timeout: WAIT_MS,
          message: `the messages of tab ${i + 1} (worker ${tabs[i]?.worker})`,
        })
        .toContain(`ana (worker ${ana.worker}): hello from the browser`);
    }
    expect(errors, 'script errors on the page').toEqual([]);
    for (const { page } of tabs) await page.context().close();
    // 3 pages, each loaded and logged in one after the other: more than 5 s on a busy machine.
  }, 15_000);
});
