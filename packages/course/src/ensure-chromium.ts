// A browser for the commands that need one (`pnpm verify`): the one this
// machine has, or else Playwright's Chromium headless shell, downloaded once.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
// By path, not package name: the docs build bundles the commands' modules, and its bundler
// leaves a package import to Node, which cannot load TypeScript.
import {
  chromiumMissing,
  type FoundChromium,
  findChromium,
  installAdvice,
} from '../../test-kit/chromium.ts';

/** No browser, and none could be installed: the message is one line that says what to run. */
export class ChromiumUnavailable extends Error {}

/** Install a browser, or reject; stop at once when `signal` aborts. */
export type Installer = (signal: AbortSignal) => Promise<void>;

export interface EnsureChromiumOptions {
  env?: NodeJS.ProcessEnv;
  find?: () => FoundChromium | undefined;
  install?: Installer;
  /** The download's own time limit: Playwright's covers only connecting. */
  timeoutMs?: number;
  /** Where the one line that announces a download goes. */
  log?: (line: string) => void;
}

const INSTALL = ['install', 'chromium-headless-shell'];
const INSTALL_COMMAND = `pnpm exec playwright-core ${INSTALL.join(' ')}`;

/** Whether downloads are off, by Playwright's own switch for offline machines. */
function downloadsOff(env: NodeJS.ProcessEnv): boolean {
  const value = env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD;
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/**
 * Run `command` in a process group of its own; reject with the end of its
 * output when it fails, and kill the whole group when `signal` aborts.
 *
 * @example
 * await runInstaller([process.execPath, cli, 'install', 'chromium-headless-shell'], signal);
 */
export function runInstaller(command: string[], signal: AbortSignal): Promise<void> {
  const [file = '', ...args] = command;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const abort = () => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    };
    signal.addEventListener('abort', abort, { once: true });
    child.once('error', reject);
    child.once('close', (code) => {
      signal.removeEventListener('abort', abort);
      if (code === 0) return resolve();
      // Playwright ends with `Error: <the cause>` lines, then a stack trace.
      const lines = output.split('\n').map((line) => line.trim());
      const cause = lines.filter((line) => line.startsWith('Error: ')).at(-1);
      reject(
        new Error(signal.aborted ? 'stopped at its time limit' : (cause ?? `exit code ${code}`)),
      );
    });
  });
}

/** `playwright install chromium-headless-shell`, through this playwright-core's own CLI. */
const installPlaywrightShell: Installer = (signal) => {
  const pkg = createRequire(import.meta.url).resolve('playwright-core/package.json');
  return runInstaller([process.execPath, join(dirname(pkg), 'cli.js'), ...INSTALL], signal);
};

/**
 * The Chromium `findChromium()` finds; where there is none, install
 * Playwright's Chromium headless shell (saying so in one line) and use it.
 * Throws `ChromiumUnavailable`, with a one-line message naming the command
 * that installs a browser on this system, when `CHROMIUM_PATH` points at
 * nothing, when downloads are off (`PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD`), and
 * when the download fails or outlasts `timeoutMs`.
 *
 * @example
 * const { path } = await ensureChromium({ log: console.log });
 */
export async function ensureChromium(options: EnsureChromiumOptions = {}): Promise<FoundChromium> {
  const env = options.env ?? process.env;
  const find = options.find ?? (() => findChromium({ env }));
  const found = find();
  if (found) return found;
  if (env.CHROMIUM_PATH) throw new ChromiumUnavailable(chromiumMissing(env));
  const instead = installAdvice();
  if (downloadsOff(env)) {
    throw new ChromiumUnavailable(
      `No Chromium found, and PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD turns downloads off. ${instead}`,
    );
  }
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  (options.log ?? console.log)(
    `No Chromium found: installing Playwright's Chromium headless shell (${INSTALL_COMMAND}, at most ${Math.round(timeoutMs / 1000)} s)…`,
  );
  const controller = new AbortController();
  const timedOut = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(new Error('time limit')));
  });
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    // The race ends the wait at the time limit even for an installer that ignores the signal.
    await Promise.race([(options.install ?? installPlaywrightShell)(controller.signal), timedOut]);
  } catch (error) {
    const why = controller.signal.aborted
      ? `it took longer than ${Math.round(timeoutMs / 1000)} s`
      : (error as Error).message;
    throw new ChromiumUnavailable(`Installing Playwright's Chromium failed (${why}). ${instead}`);
  } finally {
    clearTimeout(timer);
  }
  const installed = find();
  if (!installed) {
    throw new ChromiumUnavailable(
      `Playwright's installer finished, yet no Chromium is found. ${instead}`,
    );
  }
  return installed;
}
