import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { noBrowserEnv } from '@lessons/test-kit/chromium';
import { afterAll, describe, expect, it } from 'vitest';
import { runVerify, STEPS } from '../src/commands/verify.ts';
import { ChromiumUnavailable, ensureChromium, runInstaller } from '../src/ensure-chromium.ts';
import { processesWithEnv } from '../src/grading/run.ts';
import { ROOT } from '../src/lessons.ts';

const scratch = mkdtempSync(join(tmpdir(), 'ensure-chromium-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('ensureChromium()', () => {
  const found = { path: '/usr/bin/chromium', source: "Debian's chromium" };
  const failIfCalled = async () => {
    throw new Error('the installer ran');
  };

  it('returns the browser the machine has, and installs nothing', async () => {
    expect(await ensureChromium({ env: {}, find: () => found, install: failIfCalled })).toBe(found);
  });

  it('where there is none, installs one, says so in one line, and returns it', async () => {
    const shell = join(scratch, 'installed', 'chrome-headless-shell');
    let installed = false;
    const lines: string[] = [];
    const result = await ensureChromium({
      env: {},
      find: () => (installed ? { path: shell, source: 'Playwright' } : undefined),
      install: async () => {
        installed = true;
      },
      log: (line) => lines.push(line),
    });
    expect(result).toEqual({ path: shell, source: 'Playwright' });
    expect(lines).toEqual([
      "No Chromium found: installing Playwright's Chromium headless shell (pnpm exec playwright-core install chromium-headless-shell, at most 300 s)…",
    ]);
  });

  it('with downloads off, throws one line naming the install command, and downloads nothing', async () => {
    const attempt = ensureChromium({
      env: { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
      find: () => undefined,
      install: failIfCalled,
    });
    await expect(attempt).rejects.toThrow(ChromiumUnavailable);
    await expect(attempt).rejects.toThrow(
      /^No Chromium found, and PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD turns downloads off\. Install one with: .+\.$/,
    );
  });

  it('does not install over a CHROMIUM_PATH that points at nothing: it says so', async () => {
    await expect(
      ensureChromium({
        env: { CHROMIUM_PATH: '/nothing' },
        find: () => undefined,
        install: failIfCalled,
      }),
    ).rejects.toThrow(/^CHROMIUM_PATH is \/nothing, where there is no executable/);
  });

  it('gives up on a download at its own time limit, and on one that fails', async () => {
    const log = () => {};
    const hung = ensureChromium({
      env: {},
      find: () => undefined,
      install: () => new Promise(() => {}), // a network that never answers
      timeoutMs: 50,
      log,
    });
    await expect(hung).rejects.toThrow(
      /^Installing Playwright's Chromium failed \(it took longer than 0 s\)\. Install one with: /,
    );
    await expect(
      ensureChromium({
        env: {},
        find: () => undefined,
        install: () => Promise.reject(new Error('Error: Download failure, code=1')),
        log,
      }),
    ).rejects.toThrow("Installing Playwright's Chromium failed (Error: Download failure, code=1).");
  });
});

describe('runInstaller()', () => {
  it('kills the whole installer, children included, when its time is up', async () => {
    const marker = `INSTALLER_TEST=${Date.now()}`;
    const script = join(scratch, 'hangs.sh');
    writeFileSync(script, `#!/bin/sh\nexport ${marker}\nsleep 30 &\nsleep 30\n`);
    chmodSync(script, 0o755);
    const controller = new AbortController();
    const running = runInstaller([script], controller.signal);
    await expect.poll(() => processesWithEnv(marker).length).toBe(2);
    controller.abort();
    await expect(running).rejects.toThrow('stopped at its time limit');
    await expect.poll(() => processesWithEnv(marker)).toEqual([]);
  });

  it("rejects with the installer's last Error: line when it fails", async () => {
    const script = join(scratch, 'fails.sh');
    writeFileSync(
      script,
      '#!/bin/sh\necho "Error: Failed to download"\necho "Error: Download failure, code=1" >&2\necho "    at ChildProcess" >&2\nexit 1\n',
    );
    chmodSync(script, 0o755);
    await expect(runInstaller([script], new AbortController().signal)).rejects.toThrow(
      /^Error: Download failure, code=1$/,
    );
  });
});

describe('pnpm verify', () => {
  it('settles the browser first, then runs each step with it, stopping at the first failure', async () => {
    const ran: { step: string; chromium: string | undefined }[] = [];
    const code = await runVerify([], {
      env: {},
      find: () => ({ path: '/opt/chromium', source: 'test' }),
      run: async (step, env) => {
        ran.push({ step, chromium: env.CHROMIUM_PATH });
        return step === 'test' ? 1 : 0;
      },
    });
    expect(code).toBe(1);
    expect(ran).toEqual(
      STEPS.slice(0, STEPS.indexOf('test') + 1).map((step) => ({
        step,
        chromium: '/opt/chromium',
      })),
    );
  });

  it('without a browser and with downloads off, prints one line and exits 2 before lint', async () => {
    const env = { ...noBrowserEnv(scratch), PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1', NO_COLOR: '1' };
    const result = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/verify.ts'],
      { cwd: ROOT, env },
    ).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toBe(''); // no step ran: lint would have printed
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^No Chromium found, and PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD turns downloads off\. Install one with: /,
      ),
    ]);
  });
});
