// Launching Chromium, with nothing from vitest: the docs build and the graders
// use this; tests use `@lessons/test-kit/browser`, which adds the vitest hooks.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';

// Loaded with require(), not import: Node 20 scans a CommonJS module that ESM imports for
// its export names, and scanning playwright-core's 7 MB of bundles costs every test
// process that opens a browser about 0.1 s of CPU.
const { chromium } = createRequire(import.meta.url)(
  'playwright-core',
) as typeof import('playwright-core');

/** The Chromium builds of Debian's `chromium` source package, the lighter one first. */
const DEBIAN_CHROMIUMS = ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'];

/**
 * `CHROMIUM_PATH` when set; otherwise Debian's `chromium-headless-shell`, which
 * Playwright also prefers for headless runs (here it opens a page in a third
 * of the CPU time), or else Debian's `chromium`.
 */
export const CHROMIUM_PATH =
  process.env.CHROMIUM_PATH ??
  DEBIAN_CHROMIUMS.find((path) => existsSync(path)) ??
  (DEBIAN_CHROMIUMS.at(-1) as string);

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
 * Launch headless Chromium with the flags this sandboxed, offline machine
 * needs. Close it in `afterAll`.
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
  const endpoint = process.env.CHROMIUM_WS_ENDPOINT;
  if (endpoint) return chromium.connect(endpoint);
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium was not found at ${process.env.CHROMIUM_PATH ?? DEBIAN_CHROMIUMS.join(' or ')}. Install it (Debian/Ubuntu: sudo apt-get install chromium-headless-shell, or chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary.`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
