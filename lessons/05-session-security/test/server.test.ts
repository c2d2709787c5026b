// server.ts reads its settings from the environment: start it as `pnpm lesson 5` does.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nextEvent } from '@lessons/test-kit';
import { io } from 'socket.io-client';
import { describe, expect, it, type TestContext } from 'vitest';
import { type ChatClient, login, WAIT_MS, welcomed } from './helpers.ts';

// The folder under test: src/, or the one LESSON_TARGET names (as #target/ does).
const targetDir = process.env.LESSON_TARGET
  ? resolve(process.cwd(), process.env.LESSON_TARGET)
  : fileURLToPath(new URL('../src', import.meta.url));
const lessonDir = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
}

function startServer({ onTestFinished }: TestContext, env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', `${targetDir}/server.ts`], {
    cwd: lessonDir,
    env: { ...process.env, NODE_ENV: '', SESSION_SECRET: '', PORT: '0', ...env },
  });
  // Each test ends its own server: these tests run concurrently, to start three processes at once.
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
  const deadline = Date.now() + 4000;
  while (Date.now() < deadline) {
    const match = /Listening on (http:\/\/localhost:\d+)/.exec(output().stdout);
    if (match?.[1]) return match[1].replace('localhost', '127.0.0.1');
    if (child.exitCode !== null) break;
    await Promise.race([once(child.stdout ?? child, 'data'), once(child, 'exit')]);
  }
  throw new Error(`The server did not start:\n${JSON.stringify(output(), null, 2)}`);
}

describe.concurrent('server.ts and its environment', () => {
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

  it('reads SESSION_SECRET, SESSION_TTL_MS, SESSION_CHECK_MS and ALLOWED_ORIGINS', async (context) => {
    const run = startServer(context, {
      NODE_ENV: 'production',
      SESSION_SECRET: 'a'.repeat(40),
      SESSION_TTL_MS: '1000',
      SESSION_CHECK_MS: '50',
      ALLOWED_ORIGINS: 'https://chat.example, https://admin.example',
    });
    const url = await listening(run);
    expect(run.output().stderr).not.toMatch(/SESSION_SECRET/);
    // express-session's own warning, which the production checklist answers.
    expect(run.output().stderr).toMatch(
      /MemoryStore is not\s+designed for a production environment/,
    );
    const cookie = await login({ url });
    const socket: ChatClient = io(url, {
      extraHeaders: { cookie, origin: 'https://admin.example' },
      transports: ['websocket'],
      reconnection: false,
    });
    context.onTestFinished(() => {
      socket.close();
    });
    await welcomed(socket);
    const [reason] = await nextEvent(socket, 'disconnect', 1000 + WAIT_MS);
    expect(reason).toBe('io server disconnect'); // the 1000 ms session expired
  });
});
