// Real servers a lesson's tests start for themselves: redis-server and nginx,
// each on a free loopback port, as a foreground child of the test, stopped
// after it (and with the test runner, should it end first).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './index.ts';

/** A server process a test started: where it listens, and how to stop it. */
export interface Service {
  child: ChildProcess;
  port: number;
  /** The folder of its files (data, config, pid), removed by stop(). */
  dir: string;
  /** What it wrote to stderr (and stdout) so far, for a failure message. */
  output(): string;
  /** Stop it (SIGTERM), wait until it has exited, and remove its files. */
  stop(): Promise<void>;
}

export interface RedisService extends Service {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /**
   * Stop it and start it again on the same port, with the same folder: with
   * `appendOnly`, the new server reads back what the old one wrote.
   */
  restart(): Promise<RedisService>;
}

const START_MS = 10_000;

/**
 * Start `redis-server` on a free loopback port with no persistence (or, with
 * `appendOnly`, an append-only file in a folder of its own, so that a restart
 * on the same port finds its data), and resolve once it accepts connections.
 *
 * @example
 * const redisServer = requireBinary('redis-server');
 * const redis = await startRedis(redisServer());
 * onTestFinished(() => redis.stop());
 */
export async function startRedis(
  binary: string,
  { appendOnly = false }: { appendOnly?: boolean } = {},
): Promise<RedisService> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir];
  args.push('--appendonly', appendOnly ? 'yes' : 'no', '--appendfsync', 'always');
  const start = async (): Promise<RedisService> => {
    const { service, ready } = spawnService(binary, args, port, dir);
    await ready(/Ready to accept connections/);
    return Object.assign(service, {
      url: `redis://127.0.0.1:${port}`,
      async restart() {
        const exited = once(service.child, 'exit');
        if (service.child.exitCode === null && service.child.signalCode === null) {
          service.child.kill('SIGTERM');
          await exited;
        }
        return start();
      },
    });
  };
  return start();
}

/**
 * Start `nginx` with `config` (a whole nginx.conf) as an unprivileged
 * foreground process, in a prefix folder of its own that holds its config,
 * pid file and temporary files, and resolve once `port` accepts connections.
 * Run as root, nginx's workers drop to the `nobody` user.
 *
 * @example
 * const nginx = await startNginx(requireNginx(), conf.replace('8080', String(port)), port);
 */
export async function startNginx(binary: string, config: string, port: number): Promise<Service> {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-'));
  chmodSync(dir, 0o755); // its workers run as nobody when the test runs as root
  writeFileSync(join(dir, 'nginx.conf'), config);
  const args = ['-p', dir, '-c', 'nginx.conf', '-e', 'stderr'];
  args.push('-g', `daemon off; pid ${join(dir, 'nginx.pid')};`);
  const { service } = spawnService(binary, args, port, dir);
  await acceptsConnections(service);
  return service;
}

function spawnService(binary: string, args: string[], port: number, dir: string) {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk;
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = once(child, 'exit');
  child.once('exit', () => {
    process.off('exit', kill);
    for (const listener of listeners) listener();
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  const service: Service = {
    child,
    port,
    dir,
    output: () => output,
    async stop() {
      if (running()) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  /** Resolve once the output matches `pattern`; reject if it exits or takes too long. */
  const ready = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => settle(`did not start within ${START_MS} ms`), START_MS);
      const check = () => {
        if (pattern.test(output)) settle();
        else if (!running()) settle(`exited (${child.exitCode ?? child.signalCode})`);
      };
      function settle(problem?: string) {
        clearTimeout(timer);
        listeners.delete(check);
        if (!problem) return resolve();
        void service.stop();
        reject(new Error(`${binary} ${problem}:\n${output}`));
      }
      listeners.add(check);
      check();
    });
  return { service, ready };
}

/** Resolve once `service.port` accepts a TCP connection; nginx prints nothing when it is ready. */
async function acceptsConnections(service: Service): Promise<void> {
  const deadline = Date.now() + START_MS;
  for (;;) {
    const socket = connect(service.port, '127.0.0.1');
    const accepted = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true)).once('error', () => resolve(false));
    });
    socket.destroy();
    if (accepted) return;
    const { child } = service;
    if (child.exitCode !== null || Date.now() > deadline) {
      await service.stop();
      throw new Error(`nginx did not start:\n${service.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Send one Redis command, inline (`PING`, `GET key`), to the Redis on `port` over a
 * connection of its own, and resolve with the first line of the answer (`+PONG`), or
 * with the connection's error code (`ECONNREFUSED`) where nothing listens.
 */
export async function redisCommand(port: number, command: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.write(`${command}\r\n`);
  try {
    const [data] = await once(socket, 'data'); // rejects on the socket's 'error'
    return String(data).split('\r\n')[0] ?? '';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  } finally {
    socket.destroy();
  }
}
