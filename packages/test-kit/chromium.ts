// Finding and launching Chromium, with nothing from vitest: the commands, the
// docs build and the graders use this; tests use `@lessons/test-kit/browser`,
// which adds the vitest hooks.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { installHint } from './binaries.ts';

// Loaded with require(), not import: Node 20 scans a CommonJS module that ESM imports for
// its export names, and scanning playwright-core's 7 MB of bundles costs every test
// process that opens a browser about 0.1 s of CPU.
const require = createRequire(import.meta.url);

/** A Chromium (or Chrome) on this machine, and which kind of install it is. */
export interface FoundChromium {
  path: string;
  /** `"Debian's chromium-headless-shell"`, for messages. */
  source: string;
}

export interface ChromiumSearch {
  /** Where `CHROMIUM_PATH` and `CHROMIUM_SEARCH_ROOT` are read: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * Prefixed to the system locations (`/usr/bin/chromium`, `/Applications/…`):
   * `CHROMIUM_SEARCH_ROOT`, else `/`. A test points it at an empty folder to
   * play a machine without a browser.
   */
  root?: string;
  platform?: NodeJS.Platform;
  /** For `~/Applications` on macOS: `os.homedir()`. */
  home?: string;
  /** The executables of Playwright's own installs, best first; the real registry's by default. */
  playwright?: () => string[];
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where `playwright install chromium-headless-shell` (and `… chromium`) put
 * the builds this playwright-core drives, asked of playwright-core's own
 * registry, which honours `PLAYWRIGHT_BROWSERS_PATH`.
 */
function playwrightChromiums(): string[] {
  const { registry } = require('playwright-core/lib/coreBundle').registry as {
    registry: {
      findExecutable(name: string): { executablePath(): string | undefined } | undefined;
    };
  };
  return ['chromium-headless-shell', 'chromium'].flatMap(
    (name) => registry.findExecutable(name)?.executablePath() ?? [],
  );
}

/** The usual places of the other kinds of install, in the order they are tried. */
function systemChromiums(platform: NodeJS.Platform, home: string): [string, string][] {
  if (platform === 'darwin') {
    const apps = ['/Applications', join(home, 'Applications')];
    return apps.flatMap((dir): [string, string][] => [
      [join(dir, 'Google Chrome.app/Contents/MacOS/Google Chrome'), 'Google Chrome'],
      [join(dir, 'Chromium.app/Contents/MacOS/Chromium'), 'Chromium'],
    ]);
  }
  return [
    ['/usr/bin/chromium-headless-shell', "Debian's chromium-headless-shell"],
    ['/usr/bin/chromium', "Debian's chromium"],
    ['/usr/bin/chromium-browser', 'Chromium'],
    ['/snap/bin/chromium', 'Chromium (snap)'],
    ['/opt/google/chrome/chrome', 'Google Chrome'],
    ['/usr/bin/google-chrome-stable', 'Google Chrome'],
    ['/usr/bin/google-chrome', 'Google Chrome'],
  ];
}

/**
 * The Chromium the tests and the docs build use, or `undefined` when this
 * machine has none. In order: `CHROMIUM_PATH`, which decides alone when set;
 * a browser installed by Playwright; Debian's `chromium-headless-shell` (the
 * lighter build, which Playwright also prefers for headless runs), then its
 * `chromium`; Google Chrome or Chromium where macOS and Linux put them.
 *
 * @example
 * const found = findChromium();
 * if (!found) console.error(chromiumMissing());
 */
export function findChromium(search: ChromiumSearch = {}): FoundChromium | undefined {
  const env = search.env ?? process.env;
  if (env.CHROMIUM_PATH) {
    return isExecutable(env.CHROMIUM_PATH)
      ? { path: env.CHROMIUM_PATH, source: 'CHROMIUM_PATH' }
      : undefined;
  }
  for (const path of (search.playwright ?? playwrightChromiums)()) {
    if (isExecutable(path)) return { path, source: 'Playwright' };
  }
  const root = search.root ?? env.CHROMIUM_SEARCH_ROOT ?? '/';
  const platform = search.platform ?? process.platform;
  for (const [path, source] of systemChromiums(platform, search.home ?? homedir())) {
    const full = join(root, path);
    if (isExecutable(full)) return { path: full, source };
  }
  return undefined;
}

/**
 * Whether `findChromium()` would find a browser, cheaply: the system's places
 * are asked before Playwright's registry, which takes a while to load.
 */
export function hasChromium(search: ChromiumSearch = {}): boolean {
  return Boolean(findChromium({ ...search, playwright: () => [] }) ?? findChromium(search));
}

/** What to do about a missing browser: the command that installs one on this system. */
export function installAdvice(): string {
  return `Install one with: ${installHint('chromium')} (or set CHROMIUM_PATH to a Chromium or Chrome).`;
}

/** One line: why there is no browser, and the command that installs one on this system. */
export function chromiumMissing(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHROMIUM_PATH) {
    return `CHROMIUM_PATH is ${env.CHROMIUM_PATH}, where there is no executable: point it at a Chromium or Chrome, or unset it to let the course find one.`;
  }
  return `No Chromium found. ${installAdvice()}`;
}

/** The flags this sandboxed, offline machine needs. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launch headless Chromium, the one `findChromium()` finds, with the flags
 * this sandboxed, offline machine needs. Close it in `afterAll`.
 *
 * When `CHROMIUM_WS_ENDPOINT` names a Chromium already running (a
 * `chromium.launchServer()`, as `pnpm grade` starts one for a whole class),
 * connect to it instead: `close()` then ends the connection and its pages,
 * not that browser.
 *
 * @example
 * const browser = await launchBrowser();
 * const page = await browser.newPage();
 */
export async function launchBrowser(): Promise<Browser> {
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  const endpoint = process.env.CHROMIUM_WS_ENDPOINT;
  if (endpoint) return chromium.connect(endpoint);
  const found = findChromium();
  if (!found) throw new Error(chromiumMissing());
  return chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS });
}

/**
 * The environment of a machine with no browser anywhere the search looks, for
 * tests: no `CHROMIUM_PATH`, and the system's and Playwright's locations moved
 * to an empty folder under `dir`.
 *
 * @example
 * spawn('pnpm', ['start'], { env: noBrowserEnv(scratch) });
 */
export function noBrowserEnv(dir: string): NodeJS.ProcessEnv {
  const empty = join(dir, 'nothing-here');
  mkdirSync(empty, { recursive: true });
  const { CHROMIUM_PATH: _, CHROMIUM_WS_ENDPOINT: __, ...env } = process.env;
  return { ...env, CHROMIUM_SEARCH_ROOT: empty, PLAYWRIGHT_BROWSERS_PATH: empty };
}
