import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The environment of a machine with no browser anywhere the search looks:
 * no `CHROMIUM_PATH`, and the system's and Playwright's locations moved to an
 * empty folder under `dir`.
 */
export function noBrowserEnv(dir: string): NodeJS.ProcessEnv {
  const empty = join(dir, 'nothing-here');
  mkdirSync(empty, { recursive: true });
  const { CHROMIUM_PATH: _, CHROMIUM_WS_ENDPOINT: __, ...env } = process.env;
  return { ...env, CHROMIUM_SEARCH_ROOT: empty, PLAYWRIGHT_BROWSERS_PATH: empty };
}
