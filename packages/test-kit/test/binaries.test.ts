import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findBinary, installHint } from '../binaries.ts';
import { chromiumMissing, findChromium } from '../chromium.ts';
import { requireBinary } from '../requires.ts';

// Fake installs: an executable file where each kind of install puts its browser.
const root = mkdtempSync(join(tmpdir(), 'browser-search-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let machines = 0;

/** A folder that plays a machine's `/`, with an executable at each path. */
function machine(...paths: string[]): string {
  const dir = join(root, `machine-${machines++}`);
  mkdirSync(dir);
  for (const path of paths) install(join(dir, path));
  return dir;
}

function install(path: string, executable = true): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, executable ? 0o755 : 0o644);
}

const noPlaywright = () => [];

describe('findChromium()', () => {
  it('takes CHROMIUM_PATH first, and alone: where it points at nothing, there is no browser', () => {
    const system = machine('/usr/bin/chromium');
    const mine = join(system, 'my-chrome');
    install(mine);
    const search = { root: system, playwright: noPlaywright };
    expect(findChromium({ ...search, env: { CHROMIUM_PATH: mine } })).toEqual({
      path: mine,
      source: 'CHROMIUM_PATH',
    });
    expect(findChromium({ ...search, env: { CHROMIUM_PATH: join(system, 'nothing') } })).toBe(
      undefined,
    );
    expect(chromiumMissing({ CHROMIUM_PATH: '/nothing' })).toMatch(
      /^CHROMIUM_PATH is \/nothing, where there is no executable: /,
    );
  });

  // Two fresh processes, each loading playwright-core's 7 MB bundle: seconds on a busy machine.
  it("finds a browser installed by Playwright, where playwright-core's registry puts it", () => {
    const browsers = join(root, 'ms-playwright');
    // The registry reads PLAYWRIGHT_BROWSERS_PATH when it loads: ask a fresh process.
    const expected = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createRequire } from 'node:module';
         const { registry } = createRequire(process.cwd() + '/')('playwright-core/lib/coreBundle').registry;
         console.log(registry.findExecutable('chromium-headless-shell').executablePath());`,
      ],
      {
        cwd: join(import.meta.dirname, '..'),
        env: { ...process.env, PLAYWRIGHT_BROWSERS_PATH: browsers },
      },
    )
      .toString()
      .trim();
    expect(expected.startsWith(browsers)).toBe(true);
    install(expected);
    const found = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import { findChromium } from './chromium.ts';
         console.log(JSON.stringify(findChromium({ root: ${JSON.stringify(machine('/usr/bin/chromium'))} })));`,
      ],
      {
        cwd: join(import.meta.dirname, '..'),
        env: { ...process.env, PLAYWRIGHT_BROWSERS_PATH: browsers, CHROMIUM_PATH: '' },
      },
    ).toString();
    expect(JSON.parse(found)).toEqual({ path: expected, source: 'Playwright' });
  }, 30_000);

  it("prefers Debian's chromium-headless-shell to its chromium, and both to Google Chrome", () => {
    const search = { env: {}, playwright: noPlaywright, platform: 'linux' as const };
    const debian = machine(
      '/usr/bin/chromium-headless-shell',
      '/usr/bin/chromium',
      '/opt/google/chrome/chrome',
    );
    expect(findChromium({ ...search, root: debian })?.source).toBe(
      "Debian's chromium-headless-shell",
    );
    expect(findChromium({ ...search, root: machine('/usr/bin/chromium') })?.source).toBe(
      "Debian's chromium",
    );
    const chrome = machine('/opt/google/chrome/chrome');
    expect(findChromium({ ...search, root: chrome })).toEqual({
      path: join(chrome, '/opt/google/chrome/chrome'),
      source: 'Google Chrome',
    });
    expect(findChromium({ ...search, root: machine('/snap/bin/chromium') })?.source).toBe(
      'Chromium (snap)',
    );
  });

  it('finds Google Chrome or Chromium where macOS puts them, for everyone or one user', () => {
    const search = {
      env: {},
      playwright: noPlaywright,
      platform: 'darwin' as const,
      home: '/Users/ana',
    };
    const chrome = machine('/Applications/Google Chrome.app/Contents/MacOS/Google Chrome');
    expect(findChromium({ ...search, root: chrome })?.source).toBe('Google Chrome');
    const mine = machine('/Users/ana/Applications/Chromium.app/Contents/MacOS/Chromium');
    expect(findChromium({ ...search, root: mine })).toEqual({
      path: join(mine, '/Users/ana/Applications/Chromium.app/Contents/MacOS/Chromium'),
      source: 'Chromium',
    });
  });

  it('takes Playwright’s browser before the system’s, and skips a file that is not executable', () => {
    const playwright = join(root, 'pw-shell');
    install(playwright);
    const system = machine('/usr/bin/chromium-headless-shell');
    expect(findChromium({ env: {}, root: system, playwright: () => [playwright] })?.source).toBe(
      'Playwright',
    );
    const notExecutable = join(root, 'pw-not-executable');
    install(notExecutable, false);
    expect(findChromium({ env: {}, root: system, playwright: () => [notExecutable] })?.source).toBe(
      "Debian's chromium-headless-shell",
    );
  });

  it('finds nothing on a machine without a browser, and says which command installs one', () => {
    expect(findChromium({ env: {}, root: machine(), playwright: noPlaywright })).toBe(undefined);
    expect(chromiumMissing({})).toBe(
      `No Chromium found. Install one with: ${installHint('chromium')} (or set CHROMIUM_PATH to a Chromium or Chrome).`,
    );
  });
});

describe('findBinary() and installHint()', () => {
  it('finds a program on PATH, and nothing where it is not', () => {
    const bin = join(root, 'bin');
    install(join(bin, 'redis-server'));
    expect(findBinary('redis-server', { env: { PATH: bin } })).toBe(join(bin, 'redis-server'));
    expect(findBinary('no-such-program-here', { env: { PATH: bin } })).toBe(undefined);
  });

  it('names the package for each system', () => {
    expect(installHint('redis-server', { platform: 'darwin' })).toBe('brew install redis');
    expect(installHint('chromium', { platform: 'darwin' })).toBe(
      'pnpm exec playwright-core install chromium-headless-shell',
    );
    expect(installHint('nginx', { platform: 'win32' })).toContain('nginx');
  });
});

describe('requireBinary() where the program is missing', () => {
  const path = process.env.PATH;
  process.env.PATH = '';
  const redis = requireBinary('redis-server');
  process.env.PATH = path;

  // biome-ignore lint/correctness/noEmptyPattern: vitest passes the suite second, and wants a pattern first
  afterAll(({}, suite) => {
    const [test] = suite.tasks;
    expect(test?.result?.state).toBe('skip');
    expect((test?.result as { note?: string } | undefined)?.note).toBe(
      `redis-server is not installed: install it with ${installHint('redis-server')}`,
    );
  });

  it('is skipped with the reason instead of run (this skip is what the suite checks)', () => {
    redis();
    throw new Error('this test should have been skipped');
  });
});
