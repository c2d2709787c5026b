// The programs outside Node that some lessons need, found where people install
// them, and the command that installs each on this system.
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A program a lesson may need, and how to install it. */
export interface Binary {
  /** The Debian and Ubuntu package. */
  debian: string;
  /** The Homebrew formula or cask. */
  brew: string;
}

/**
 * Every program a lesson may declare in its `requires`. Chromium is found by
 * `findChromium()`, which also knows Playwright's installs and macOS's apps.
 */
export const BINARIES = {
  chromium: { debian: 'chromium-headless-shell', brew: '--cask chromium' },
  'redis-server': { debian: 'redis-server', brew: 'redis' },
  nginx: { debian: 'nginx', brew: 'nginx' },
} as const satisfies Record<string, Binary>;

export type BinaryName = keyof typeof BINARIES;

export interface BinarySearch {
  /** Where `PATH` is read: `process.env`. */
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

/**
 * The full path of `name` on `PATH`, or in the `sbin` folders and Homebrew's
 * that a user's `PATH` often leaves out (Debian puts `nginx` in `/usr/sbin`);
 * `undefined` when it is nowhere.
 *
 * @example
 * const redis = findBinary('redis-server'); // '/usr/bin/redis-server'
 */
export function findBinary(name: string, search: BinarySearch = {}): string | undefined {
  const env = search.env ?? process.env;
  const dirs = [
    ...(env.PATH ?? '').split(delimiter).filter(Boolean),
    '/usr/sbin',
    '/usr/local/sbin',
    '/opt/homebrew/bin',
    '/opt/homebrew/sbin',
  ];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The command that installs `name` on this system: apt-get where it exists,
 * Homebrew on macOS; for Chromium elsewhere, Playwright's own installer.
 *
 * @example
 * installHint('nginx'); // 'sudo apt-get install nginx' on Debian
 */
export function installHint(name: BinaryName, search: BinarySearch = {}): string {
  const platform = search.platform ?? process.platform;
  const { debian, brew } = BINARIES[name];
  if (platform === 'darwin') {
    return name === 'chromium'
      ? 'pnpm exec playwright-core install chromium-headless-shell'
      : `brew install ${brew}`;
  }
  if (platform === 'linux' && existsSync('/usr/bin/apt-get')) {
    return `sudo apt-get install ${debian}`;
  }
  return name === 'chromium'
    ? 'pnpm exec playwright-core install chromium-headless-shell'
    : `your system's package manager (the package is usually called ${debian})`;
}
