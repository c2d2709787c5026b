import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { freePort } from '@lessons/test-kit';
import { findBinary } from '@lessons/test-kit/binaries';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../src/cli.ts';
import { parseLessonArgs, redisForRun } from '../src/commands/lesson.ts';
import { processesWithEnv } from '../src/grading/run.ts';
import { ROOT } from '../src/lessons.ts';

describe('parseLessonArgs()', () => {
  it('reads the lesson, --port, --server-only and --starter', () => {
    const run = parseLessonArgs(['01', '--port', '4100', '--server-only', '--starter'], {});
    expect(run).toMatchObject({ port: 4100, serverOnly: true, starter: true });
    expect(run !== 'help' && run.lesson.id).toBe('01-http-server');
  });

  it('defaults the port to $PORT, then 3000', () => {
    expect(parseLessonArgs(['1'], { PORT: '4200' })).toMatchObject({ port: 4200 });
    expect(parseLessonArgs(['1'], {})).toMatchObject({ port: 3000 });
  });

  it.each([
    [[], /Which lesson\?[\s\S]*1\. One port for HTTP and Socket\.IO/],
    [['42'], /There is no lesson "42"[\s\S]*1\. One port/],
    [['1', '--port', 'abc'], /"abc" is not a port/],
    [['1', '--port', '70000'], /"70000" is not a port/],
    [['1', '--nope'], /Unknown option '--nope'/],
    [['1', '2'], /Unexpected argument "2"/],
  ])('refuses %j with a message that says what to do', (argv, message) => {
    expect(() => parseLessonArgs(argv, {})).toThrow(UsageError);
    expect(() => parseLessonArgs(argv, {})).toThrow(message);
  });
});

describe('processesWithEnv(), behind every "no process left behind" check', () => {
  it('finds a running process by an entry of its environment, and not once it has ended', async () => {
    const marker = `PROCESS_SCAN_TEST=${randomUUID()}`;
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], {
      env: { ...process.env, PROCESS_SCAN_TEST: marker.split('=')[1] },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await expect.poll(() => processesWithEnv(marker)).toEqual([child.pid]);
    child.kill('SIGKILL');
    await exited;
    expect(processesWithEnv(marker)).toEqual([]);
  });
});

/** Command lines of the processes on this machine whose environment carries `marker`. */
function processesMarked(marker: string): string[] {
  return processesWithEnv(marker).flatMap((pid) => {
    try {
      return [
        process.platform === 'linux'
          ? readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
          : execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }),
      ];
    } catch {
      return []; // gone since the scan
    }
  });
}

interface Started {
  child: ChildProcess;
  marker: string;
  output: string[];
  /** Resolves with the first output line that matches. */
  line(pattern: RegExp): Promise<string>;
  exited: Promise<number | null>;
}

const started: Started[] = [];
afterEach(() => {
  for (const { child } of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) killGroup(child, 'SIGKILL');
  }
});

/** Signal a whole process group, as a terminal's Ctrl-C does. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid !== undefined) process.kill(-child.pid, signal);
}

/** Run `pnpm lesson …` as a user would, in its own process group, marked for the leak check. */
function startRunner(args: string[]): Started {
  const marker = `LESSON_RUN_ID=${randomUUID()}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/lesson.ts', ...args], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, LESSON_RUN_ID: marker.split('=')[1], FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  for (const input of [child.stdout, child.stderr]) {
    if (!input) continue;
    createInterface({ input }).on('line', (line) => {
      output.push(line);
      for (const waiter of waiters.filter((w) => w.pattern.test(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    });
  }
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const run: Started = {
    child,
    marker,
    output,
    exited,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const seen = output.find((line) => pattern.test(line));
        if (seen) return resolve(seen);
        waiters.push({ pattern, resolve });
        exited.then(() =>
          reject(new Error(`Exited before printing ${pattern}:\n${output.join('\n')}`)),
        );
      }),
  };
  started.push(run);
  return run;
}

async function stopsWithin(run: Started, ms: number): Promise<void> {
  const begun = Date.now();
  await run.exited;
  expect(Date.now() - begun).toBeLessThan(ms);
  // tsx's esbuild service ends when it reads the end of its stdin, a moment after its parent.
  await expect.poll(() => processesMarked(run.marker), { timeout: 3000 }).toEqual([]);
}

describe('pnpm lesson 1', () => {
  it('starts the server and the demo clients, each line prefixed with its process', async () => {
    const port = await freePort();
    const run = startRunner(['1', '--port', String(port)]);
    await run.line(new RegExp(`^\\[server\\s*\\] Listening on http://localhost:${port}`));
    await run.line(/^\[clients\] .*welcome \{ id: "/);
    expect((await fetch(`http://localhost:${port}/health`)).status).toBe(200);
    expect(run.output).toContain(
      `Open http://localhost:${port} in your browser. Press Ctrl-C to stop.`,
    );
    run.child.kill('SIGTERM');
    await stopsWithin(run, 1000);
  });

  it('ends every process it started within a second of SIGTERM, leaving none behind', async () => {
    const run = startRunner(['1', '--port', String(await freePort())]);
    await run.line(/^\[clients\] /);
    const running = processesMarked(run.marker).join('\n');
    expect(running).toContain('scripts/lesson.ts 1'); // the server runs in the runner's process
    expect(running).toContain('demo/clients.ts');
    run.child.kill('SIGTERM');
    await stopsWithin(run, 1000);
  });

  it('ends every process on Ctrl-C (SIGINT to the whole process group) and exits 0', async () => {
    const run = startRunner(['1', '--port', String(await freePort())]);
    await run.line(/Listening on/);
    killGroup(run.child, 'SIGINT');
    await stopsWithin(run, 1000);
    expect(await run.exited).toBe(0);
  });

  it('--server-only starts the server alone, in its own process', async () => {
    const port = await freePort();
    const run = startRunner(['1', '--server-only', '--port', String(port)]);
    await run.line(new RegExp(`^Listening on http://localhost:${port}`));
    expect(processesMarked(run.marker)).toEqual([
      expect.stringContaining('scripts/lesson.ts 1 --server-only'),
    ]);
    expect((await fetch(`http://localhost:${port}/health`)).status).toBe(200);
    run.child.kill('SIGTERM');
    await stopsWithin(run, 1000);
  });

  it('--starter runs the learner\u2019s starter instead of the reference', async () => {
    const port = await freePort();
    const run = startRunner(['http-server', '--starter', '--server-only', '--port', String(port)]);
    await run.line(/Listening on/);
    expect(run.output).toContain('Lesson 1: One port for HTTP and Socket.IO (your starter)');
    expect((await fetch(`http://localhost:${port}/health`)).status).toBe(501); // not done yet
    run.child.kill('SIGTERM');
    await stopsWithin(run, 1000);
  });
});

/** What Redis at `port` answers to the inline `commands`, once the answer matches `until`. */
function redisSays(port: number, commands: string, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(commands));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk;
      if (until.test(answer) && answer.endsWith('\r\n')) {
        socket.destroy();
        resolve(answer);
      }
    });
    socket.once('error', reject);
  });
}

describe('pnpm lesson 7 --redis', () => {
  it('is refused for a lesson whose server does not use Redis', () => {
    expect(() => parseLessonArgs(['1', '--redis'], {})).toThrow(
      "Lesson 1's server does not use Redis: --redis is not for it.",
    );
    expect(parseLessonArgs(['7', '--redis'], {})).toMatchObject({ redis: true });
  });

  it('takes $REDIS_URL as it is, and starts nothing', async () => {
    const given = 'redis://10.0.0.9:6380';
    expect(await redisForRun({ redis: true }, { REDIS_URL: given })).toEqual({ url: given });
    expect(await redisForRun({ redis: false }, { REDIS_URL: given })).toBeUndefined();
  });

  it('says in one line how to install redis-server when it is not installed', async () => {
    const run = redisForRun({ redis: true }, { PATH: '/nowhere' });
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(
      /^--redis needs redis-server, which is not installed: install it with .*redis.*, or set REDIS_URL=redis:\/\/host:port$/,
    );
  });

  it.skipIf(!findBinary('redis-server'))(
    'starts a redis-server of its own on a free loopback port, without persistence, and stops it on exit',
    async () => {
      const port = await freePort();
      const run = startRunner(['7', '--redis', '--server-only', '--port', String(port)]);
      const started = await run.line(/^Started redis-server at redis:\/\/127\.0\.0\.1:\d+/);
      const redisPort = Number(started.match(/:(\d+) /)?.[1]);
      expect(await run.line(/^Listening on /), 'the setup it says it runs').toContain(
        `Redis streams adapter and Redis sessions at redis://127.0.0.1:${redisPort}`,
      );
      // (redis-server rewrites its process title over its environment: the marker cannot find it.)
      expect(
        await redisSays(redisPort, 'CONFIG GET save\r\nCONFIG GET appendonly\r\n', /appendonly/),
        'its persistence settings: no RDB snapshots, no append-only file',
      ).toMatch(/save\r\n\$0\r\n\r\n[\s\S]*appendonly\r\n\$2\r\nno\r\n/);
      // SIGTERM to the runner alone (not its group): the run must stop its redis-server itself.
      run.child.kill('SIGTERM');
      await stopsWithin(run, 10_000);
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect(redisPort, '127.0.0.1');
        socket.once('connect', () => resolve(false)).once('error', () => resolve(true));
        socket.once('close', () => socket.destroy());
      });
      expect(refused, `redis-server on port ${redisPort} after the run`).toBe(true);
    },
    30_000,
  );
});

describe('pnpm lesson with bad input', () => {
  it('says the port is in use, suggests --port, and exits 2', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    const { port } = blocker.address() as { port: number };
    const run = startRunner(['1', '--port', String(port)]);
    expect(await run.exited).toBe(2);
    blocker.close();
    expect(run.output.join('\n')).toContain(`Port ${port} is already in use`);
    expect(run.output.join('\n')).toContain(`pnpm lesson 1 --port ${port + 1}`);
  });

  it('lists the lessons and exits 2 when no lesson is named', async () => {
    const run = startRunner([]);
    expect(await run.exited).toBe(2);
    expect(run.output.join('\n')).toMatch(
      /Which lesson\?[\s\S]*1\. One port for HTTP and Socket\.IO/,
    );
  });

  it('exits 2 for an unknown lesson and for a bad port', async () => {
    const unknown = startRunner(['99']);
    const badPort = startRunner(['1', '--port', '0']);
    expect(await unknown.exited).toBe(2);
    expect(await badPort.exited).toBe(2);
    expect(unknown.output.join('\n')).toContain('There is no lesson "99"');
    expect(badPort.output.join('\n')).toContain('"0" is not a port');
  });
});
