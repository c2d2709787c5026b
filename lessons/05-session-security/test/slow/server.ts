// server.ts in a process of its own, as `pnpm lesson 5` starts it, with a
// probe that measures its memory from the inside.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort, lessonTarget, nextEvent } from '@lessons/test-kit';
import { STARTUP_MS } from '@lessons/test-kit/server-process';
import type { TestContext } from 'vitest';

const lessonDir = fileURLToPath(new URL('../..', import.meta.url));
const probe = fileURLToPath(new URL('probe.ts', import.meta.url));

export interface Measured {
  child: ChildProcess;
  url: string;
  /** Heap after two forced collections, and resident memory, in bytes. */
  memory(): Promise<{ heapUsed: number; rss: number }>;
}

/** Start the target's server.ts on a free port with `nodeOptions`; stopped when the test finishes. */
export async function startMeasured(
  { onTestFinished }: Pick<TestContext, 'onTestFinished'>,
  nodeOptions: string[] = [],
): Promise<Measured> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      ...nodeOptions,
      '--import',
      'tsx',
      '--import',
      probe,
      `${lessonTarget(lessonDir)}/server.ts`,
    ],
    {
      cwd: lessonDir,
      env: { ...process.env, NODE_ENV: '', SESSION_SECRET: '', HOST: '', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill();
      await once(child, 'exit');
    }
  });
  const deadline = Date.now() + STARTUP_MS;
  while (!output.includes('Listening on')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`The server did not start:\n${output}`);
    }
    await Promise.race([once(child.stdout ?? child, 'data'), once(child, 'exit')]);
  }
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    async memory() {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`The server exited (${child.exitCode ?? child.signalCode}):\n${output}`);
      }
      const answer = nextEvent<[{ heapUsed: number; rss: number }]>(child, 'message', 10_000);
      child.send('measure');
      return (await answer)[0];
    },
  };
}

/** GET `path` and resolve with the status once the whole body has arrived. */
export function get(url: string, path = '/'): Promise<number> {
  return new Promise((resolve, reject) => {
    httpRequest(`${url}${path}`, { agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

/** How long `action` takes, in milliseconds, and what it resolved with. */
export async function timed<T>(action: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await action();
  return [performance.now() - started, result];
}
