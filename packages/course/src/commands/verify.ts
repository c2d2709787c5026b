import { spawn } from 'node:child_process';
import { noMoreArgs, parseCommandArgs, startCommand, USAGE_ERROR } from '../cli.ts';
import {
  ChromiumUnavailable,
  type EnsureChromiumOptions,
  ensureChromium,
} from '../ensure-chromium.ts';
import { listLessons } from '../lessons.ts';
import { missingForTests } from '../requirements.ts';

export const USAGE = `Usage: pnpm verify

The gate CI runs, and the one to run before you push: lint, typecheck, the
site build, every test, the slow tests (floods, memory over time: never run
by pnpm check), then lessons:verify, stopping at the first that fails.

First it finds a browser for the tests that open pages: CHROMIUM_PATH, a
browser installed by Playwright, Debian's chromium-headless-shell or chromium,
or Google Chrome or Chromium where macOS and Linux put them. Where there is
none, it installs Playwright's Chromium headless shell, unless
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD is set: then it stops at once, naming the
command that installs one.

Options:
  -h, --help   show this help

Exit code: 0 when every step passes, that step's code when one fails, 2 when
there is no browser.`;

/** The steps, as `pnpm run` scripts, in order. */
export const STEPS = ['lint', 'typecheck', 'docs:build', 'test', 'test:slow', 'lessons:verify'];

/** Run `pnpm run <step>` with `env`; resolves with its exit code. */
function runStep(step: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('pnpm', ['run', step], { env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/**
 * `pnpm verify`: returns the exit code. Nothing runs before the browser is
 * settled, and every step gets the same one through `CHROMIUM_PATH`.
 */
export async function runVerify(
  argv: string[],
  options: EnsureChromiumOptions & { run?: typeof runStep } = {},
): Promise<number> {
  const parsed = startCommand(() => {
    const { values, positionals } = parseCommandArgs(
      argv,
      { help: { type: 'boolean', short: 'h' } },
      USAGE,
    );
    noMoreArgs(positionals, USAGE);
    return values.help ? 'help' : {};
  }, USAGE);
  if (typeof parsed === 'number') return parsed;
  let chromium: string;
  try {
    chromium = (await ensureChromium(options)).path;
  } catch (error) {
    if (!(error instanceof ChromiumUnavailable)) throw error;
    console.error(error.message);
    return USAGE_ERROR;
  }
  for (const lesson of listLessons()) {
    for (const line of missingForTests(lesson)) console.warn(line);
  }
  const env = { ...(options.env ?? process.env), CHROMIUM_PATH: chromium };
  for (const step of STEPS) {
    const code = await (options.run ?? runStep)(step, env);
    if (code !== 0) return code;
  }
  return 0;
}
