import type { Lesson } from '../lessons.ts';

/**
 * Start one headless Chromium for many runs when one of `lessons` requires
 * it (its tests open pages): each run connects to it (see `launchBrowser()`) and opens its pages
 * in a context of its own, instead of starting a Chromium each. Pass `env` to
 * the runs, and `close()` at the end.
 */
export async function sharedBrowser(
  lessons: Lesson[],
): Promise<{ env: Record<string, string>; close(): Promise<void> }> {
  const needed = lessons.some((lesson) => lesson.requires.includes('chromium'));
  if (!needed || process.env.CHROMIUM_WS_ENDPOINT) return { env: {}, close: async () => {} };
  // Loaded here, not on top: Playwright takes a while to load, and most commands never need it.
  // By path, not package name, so that the docs build can import the commands' help.
  const { CHROMIUM_ARGS, chromiumMissing, findChromium } = await import(
    '../../../test-kit/chromium.ts'
  );
  const found = findChromium();
  if (!found) {
    console.warn(`${chromiumMissing()} The browser tests are skipped.`);
    return { env: {}, close: async () => {} };
  }
  const { chromium } = await import('playwright-core');
  const server = await chromium.launchServer({
    executablePath: found.path,
    args: CHROMIUM_ARGS,
  });
  return { env: { CHROMIUM_WS_ENDPOINT: server.wsEndpoint() }, close: () => server.close() };
}
