// The production settings of config.ts, which the starter ships complete: no
// exercise asks for them, so they grade nobody. They run in the slow suite
// (pnpm test:slow, part of pnpm verify), which also suits their four server.ts
// processes, each started with tsx: seconds apiece on a busy machine.
// server.ts reads its settings from the environment: start it as `pnpm lesson 5` does.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import { lessonTarget } from '@lessons/test-kit';
import { io } from 'socket.io-client';
import { describe, expect, it, type TestContext } from 'vitest';
import { readConfig } from '#target/config.ts';
import { type ChatClient, postLogin, sessionCookie, welcomed } from '../helpers.ts';

const lessonDir = fileURLToPath(new URL('../..', import.meta.url));
// The folder #target/ points to: src/, or the one LESSON_TARGET names.
const targetDir = lessonTarget(lessonDir);

// Starting Node with tsx takes about a second, and much longer on a busy machine.
const STARTUP_MS = 10_000;

// Made with node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))".
const STRONG_SECRET = 'wyqRvuDjpNHFOk0ai54qwrZpj8fnsW6I3RZME5-wNp8';

interface Run {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
}

function startServer({ onTestFinished }: TestContext, env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', `${targetDir}/server.ts`], {
    cwd: lessonDir,
    env: { ...process.env, NODE_ENV: '', SESSION_SECRET: '', HOST: '', PORT: '0', ...env },
  });
  // Each test ends its own server: these tests run concurrently, to start their processes at once.
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill();
      await once(child, 'exit');
    }
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return { child, output: () => ({ stdout, stderr }) };
}

/** Resolve with the URL the server prints, or reject with what it printed if it exits first. */
async function listening({ child, output }: Run): Promise<string> {
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    const match = /Listening on (http:\/\/localhost:\d+)/.exec(output().stdout);
    if (match?.[1]) return match[1].replace('localhost', '127.0.0.1');
    if (child.exitCode !== null) break;
    await Promise.race([once(child.stdout ?? child, 'data'), once(child, 'exit')]);
  }
  throw new Error(`The server did not start:\n${JSON.stringify(output(), null, 2)}`);
}

/** Whether a TCP connection to host:port opens. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * An address of this machine other than 127.0.0.1: a network interface's, or
 * 127.0.0.2, which Linux routes to the loopback interface too. A server bound
 * to every interface accepts on it; one bound to 127.0.0.1 does not.
 */
function otherLocalAddress(): string {
  const external = Object.values(networkInterfaces())
    .flat()
    .find((address) => address && !address.internal && address.family === 'IPv4');
  return external?.address ?? '127.0.0.2';
}

describe.concurrent('server.ts and its environment', { timeout: STARTUP_MS + 5000 }, () => {
  it('refuses to start with NODE_ENV=production and no SESSION_SECRET, saying why', async (context) => {
    const run = startServer(context, { NODE_ENV: 'production' });
    const [code] = await once(run.child, 'exit');
    expect(code).toBe(1);
    expect(run.output().stderr).toMatch(/SESSION_SECRET is not set\. Refusing to start/);
    expect(run.output().stdout).not.toMatch(/Listening/);
  });

  it('starts without SESSION_SECRET in development, with a random secret and a warning', async (context) => {
    const run = startServer(context, {});
    const url = await listening(run);
    expect(run.output().stderr).toMatch(/Warning: SESSION_SECRET is not set/);
    expect((await fetch(`${url}/me`)).status).toBe(401);
  });

  it('reads SESSION_SECRET, SESSION_TTL_MS and ALLOWED_ORIGINS', async (context) => {
    const twoHours = 2 * 60 * 60_000;
    const run = startServer(context, {
      SESSION_SECRET: STRONG_SECRET,
      SESSION_TTL_MS: String(twoHours),
      ALLOWED_ORIGINS: 'https://chat.example, https://admin.example',
    });
    const url = await listening(run);
    expect(run.output().stderr).not.toMatch(/SESSION_SECRET/);
    const response = await postLogin({ url }, { username: 'alice', password: 'wonderland' });
    await response.json();
    const expires = /Expires=([^;]+)/.exec(response.headers.getSetCookie()[0] ?? '')?.[1] ?? '';
    const lifetime = Date.parse(expires) - Date.parse(response.headers.get('date') ?? '');
    expect(Math.abs(lifetime - twoHours)).toBeLessThanOrEqual(2000); // HTTP dates count seconds
    const socket: ChatClient = io(url, {
      extraHeaders: { cookie: sessionCookie(response), origin: 'https://admin.example' },
      transports: ['websocket'],
      reconnection: false,
    });
    context.onTestFinished(() => {
      socket.close();
    });
    expect(await welcomed(socket)).toEqual({ username: 'alice' });
  });

  it('starts in production with a strong SESSION_SECRET and TRUST_PROXY, on 127.0.0.1 only, and accepts no demo account', async (context) => {
    const run = startServer(context, {
      NODE_ENV: 'production',
      SESSION_SECRET: STRONG_SECRET,
      TRUST_PROXY: '1',
    });
    const url = await listening(run);
    // HOST is unset: loopback only, not every interface.
    const port = Number(new URL(url).port);
    expect(await accepts('127.0.0.1', port)).toBe(true);
    expect(await accepts(otherLocalAddress(), port)).toBe(false);
    expect(run.output().stderr).not.toMatch(/SESSION_SECRET/);
    // express-session's own warning, which the production checklist answers.
    expect(run.output().stderr).toMatch(
      /MemoryStore is not\s+designed for a production environment/,
    );
    const response = await postLogin(
      { url },
      { username: 'alice', password: 'wonderland' },
      { 'x-forwarded-proto': 'https' },
    );
    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});

describe('readConfig()', () => {
  it('defaults to port 3000, 30-minute sessions checked every 10 s, and only the own origins', () => {
    const { port, options } = readConfig({});
    expect(port).toBe(3000);
    expect(options).toMatchObject({
      sessionTtlMs: 30 * 60_000,
      sessionCheckMs: 10_000,
      allowedOrigins: [],
    });
  });

  it('reads whole milliseconds, and refuses anything else by name', () => {
    const { options } = readConfig({ SESSION_TTL_MS: '60000', SESSION_CHECK_MS: '250' });
    expect(options).toMatchObject({ sessionTtlMs: 60_000, sessionCheckMs: 250 });
    expect(() => readConfig({ SESSION_CHECK_MS: '10s' })).toThrow(
      'SESSION_CHECK_MS must be a whole number, not "10s".',
    );
  });

  it('splits SESSION_SECRET on commas, so that the newest secret signs and older ones still verify', () => {
    const { options, warnings } = readConfig({ SESSION_SECRET: 'new-secret,old-secret' });
    expect(options.secret).toEqual(['new-secret', 'old-secret']);
    expect(warnings).toEqual([]);
  });

  it('refuses a production secret shorter than 32 characters', () => {
    expect(() => readConfig({ NODE_ENV: 'production', SESSION_SECRET: 'short' })).toThrow(
      /at least 32 characters/,
    );
  });

  it('refuses a NODE_ENV it does not know, such as Production or prod, instead of running as development', () => {
    for (const value of ['Production', 'prod', 'staging', 'production ']) {
      expect(() => readConfig({ NODE_ENV: value })).toThrow(
        `NODE_ENV must be one of development, test, production (or unset), not "${value}".`,
      );
    }
    for (const value of [undefined, '', 'development', 'test']) {
      expect(() => readConfig({ NODE_ENV: value })).not.toThrow();
    }
  });

  it('refuses a production secret that is long but predictable, and says how to generate one', () => {
    const production = { NODE_ENV: 'production', TRUST_PROXY: '1' };
    for (const secret of [
      ' '.repeat(32),
      'a'.repeat(40),
      'ab'.repeat(32),
      `${STRONG_SECRET},${'0'.repeat(64)}`,
    ]) {
      expect(() => readConfig({ ...production, SESSION_SECRET: secret })).toThrow(
        /SESSION_SECRET is too predictable for production: about \d+ bits, and it needs 128\. Generate one with node -e "console\.log\(require\('crypto'\)\.randomBytes\(32\)\.toString\('base64url'\)\)"/,
      );
    }
    expect(readConfig({ ...production, SESSION_SECRET: STRONG_SECRET }).options.secret).toEqual([
      STRONG_SECRET,
    ]);
  });

  it('refuses to start in production without TRUST_PROXY, naming it', () => {
    const production = { NODE_ENV: 'production', SESSION_SECRET: STRONG_SECRET };
    for (const TRUST_PROXY of [undefined, '', 'false', '0']) {
      expect(() => readConfig({ ...production, TRUST_PROXY })).toThrow(
        /^TRUST_PROXY is not set\. Refusing to start with NODE_ENV=production/,
      );
    }
    expect(readConfig({ ...production, TRUST_PROXY: 'loopback' }).options.trustProxy).toBe(
      'loopback',
    );
  });

  it('turns the demo accounts off in production', () => {
    const production = { NODE_ENV: 'production', SESSION_SECRET: STRONG_SECRET, TRUST_PROXY: '1' };
    expect(readConfig(production).options.demoUsers).toBe(false);
    expect(readConfig({}).options.demoUsers).toBe(true);
  });

  it('listens on 127.0.0.1 unless HOST names another address', () => {
    expect(readConfig({}).host).toBe('127.0.0.1');
    expect(readConfig({ HOST: '' }).host).toBe('127.0.0.1');
    expect(readConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('refuses durations of 0, negative, not a number or absurdly large, naming the variable and the range', () => {
    const cases = {
      SESSION_TTL_MS: ['0', '-1', '9999', 'abc', '1e6', '604800001', '99999999999999999999'],
      SESSION_CHECK_MS: ['0', '-100', '99', '3600001', '2147483648'],
    };
    const ranges = {
      SESSION_TTL_MS: 'from 10000 to 604800000 ms',
      SESSION_CHECK_MS: 'from 100 to 3600000 ms',
    };
    for (const [name, values] of Object.entries(cases) as [keyof typeof cases, string[]][]) {
      for (const value of values) {
        expect(() => readConfig({ [name]: value })).toThrow(
          new RegExp(`^${name} must .*${ranges[name]}`),
        );
      }
    }
    expect(
      readConfig({ SESSION_TTL_MS: '604800000', SESSION_CHECK_MS: '100' }).options,
    ).toMatchObject({
      sessionTtlMs: 604_800_000,
      sessionCheckMs: 100,
    });
  });
});
