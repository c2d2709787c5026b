// Helpers for the tests of lesson 7: Redis, the lesson's processes, logins
// and clients from a chosen loopback address.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Kit } from '@lessons/test-kit';
import { findBinary } from '@lessons/test-kit/binaries';
import { requireBinary } from '@lessons/test-kit/requires';
import { type ServerProcess, startServer, stopServer } from '@lessons/test-kit/server-process';
import { type RedisService, startRedis } from '@lessons/test-kit/services';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll } from 'vitest';
import type { ClientToServerEvents, Said, ServerToClientEvents, Welcome } from '#target/events.ts';

export const lessonDir = fileURLToPath(new URL('..', import.meta.url));

/** A cluster of 4 Node processes can take seconds to start on a busy 2-core machine. */
export const CLUSTER_STARTUP_MS = 25_000;
/** How long a message may take across processes and Redis. */
export const WAIT_MS = 3000;
/**
 * How long an HTTP answer or a socket's welcome may take: a handshake goes through the
 * primary to a worker and reads the session, which on a 2-core machine running two lessons'
 * suites at once (pnpm verify) took over 3 s. Only a server that accepts and never answers
 * waits this out; one that refuses fails at once.
 */
export const CONNECT_MS = 10_000;
export const SECRET = 'the same secret in every process';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The lesson's server.ts with `env` (WORKERS, REDIS_URL…). Processes of one worker each
 * (WORKERS=0) get the same SESSION_SECRET, as a deployment must give them; a cluster
 * runs without one, as `pnpm lesson 7` does: its primary hands its own to its workers.
 */
export function startLessonServer(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  return startServer(lessonDir, {
    // '' for a cluster, not left out: a SESSION_SECRET in the test's own environment would hide a
    // primary that does not hand its secret on.
    env: { SESSION_SECRET: env.WORKERS === '0' ? SECRET : '', ...env },
    startupMs: CLUSTER_STARTUP_MS,
  });
}

/**
 * The Redis that `pnpm grade` shares among a class: its URL, and a key prefix of
 * this submission's own. Without them, each test file starts a Redis of its own.
 */
const SHARED_REDIS_URL = process.env.LESSON_REDIS_URL || undefined;
const SHARED_REDIS_PREFIX = process.env.LESSON_REDIS_PREFIX ?? '';

/** A Redis to use, and the prefix (REDIS_PREFIX) that keeps one app's keys and channels apart. */
export interface RedisAt {
  url: string;
  prefix: string;
}

/** A key prefix no other app on the same Redis uses: the submission's, then the file's. */
export const newRedisPrefix = () => `${SHARED_REDIS_PREFIX}test-${randomBytes(4).toString('hex')}:`;

/** What a test file runs against, started once for the file: see useDeployment(). */
export interface Deployment {
  /** The Redis every process shares, and their prefix (undefined where redis-server is missing). */
  redis(): RedisAt | undefined;
  /** Stop that Redis (keeping its files), as an outage would: needs `ownRedis`. */
  stopRedis(): Promise<void>;
  /** Start it again on the same port; the file's last hook stops it. Needs `ownRedis`. */
  restartRedis(): Promise<void>;
  /** The lesson's processes: one cluster, or several processes of one worker each. */
  servers(): ServerProcess[];
  urls(): string[];
}

/**
 * Start, before a file's tests, the lesson against a Redis, and stop both after: one
 * cluster of `workers` workers behind the sticky primary, or (`workers: 0`) `processes`
 * processes of the app, each alone on its port. The Redis is the one the grader shares
 * (LESSON_REDIS_URL) under a prefix of the file's own, or else a redis-server started
 * for the file; `ownRedis` (append-only, so a restart keeps the data) always starts one,
 * for a test that stops it. Skips the file's tests, by name, where redis-server is missing.
 */
export function useDeployment(options: {
  workers: number;
  processes?: number;
  ownRedis?: 'append-only';
}): Deployment {
  const shared = options.ownRedis ? undefined : SHARED_REDIS_URL;
  if (!shared) requireBinary('redis-server');
  let own: RedisService | undefined;
  let redis: RedisAt | undefined;
  let servers: ServerProcess[] = [];
  const ownRedis = () => {
    if (!own) throw new Error('only a deployment with ownRedis can stop or restart its Redis');
    return own;
  };
  beforeAll(async () => {
    const binary = shared ? undefined : findBinary('redis-server');
    if (binary) own = await startRedis(binary, { appendOnly: options.ownRedis === 'append-only' });
    const url = shared ?? own?.url;
    if (!url) return;
    redis = { url, prefix: newRedisPrefix() };
    const env = { WORKERS: String(options.workers), REDIS_URL: url, REDIS_PREFIX: redis.prefix };
    const count = options.workers === 0 ? (options.processes ?? 3) : 1;
    servers = await Promise.all(Array.from({ length: count }, () => startLessonServer(env)));
  }, CLUSTER_STARTUP_MS + 5000);
  afterAll(() => stopAll(servers, own));
  return {
    redis: () => redis,
    stopRedis: async () => {
      const { child } = ownRedis();
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
    restartRedis: async () => {
      own = await ownRedis().restart();
    },
    servers: () => servers,
    urls: () => servers.map(({ url }) => url),
  };
}

export async function stopAll(
  servers: (ServerProcess | undefined)[],
  redis: RedisService | undefined,
): Promise<void> {
  await Promise.all(servers.map((server) => stopServer(server)));
  await redis?.stop();
}

export interface HttpAnswer {
  status: number;
  body: unknown;
  cookie?: string;
}

/** One HTTP request with a JSON body, from `localAddress` (127.0.0.1 unless told). */
export function http(
  url: string,
  { method = 'GET', json, text, cookie, localAddress }: HttpOptions = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const body = json === undefined ? text : JSON.stringify(json);
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (cookie) headers.cookie = cookie;
    // agent: false, a connection of its own per request, as a balancer may see them.
    const options = { method, headers, localAddress, timeout: CONNECT_MS, agent: false };
    const req = request(url, options, (res) => {
      let text = '';
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => {
        const setCookie = res.headers['set-cookie']?.[0]?.split(';')[0];
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, cookie: setCookie });
      });
    });
    req.on('timeout', () =>
      req.destroy(new Error(`${method} ${url}: no answer in ${CONNECT_MS} ms`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface HttpOptions {
  method?: string;
  json?: unknown;
  text?: string;
  cookie?: string;
  localAddress?: string;
}

/** Log `username` in through `url` and return the session cookie (`sid=…`). */
export async function login(url: string, username: string, localAddress?: string) {
  const answer = await http(`${url}/login`, { method: 'POST', json: { username }, localAddress });
  if (answer.status !== 200 || !answer.cookie) {
    throw new Error(
      `POST /login as ${username} answered ${answer.status} ${JSON.stringify(answer.body)}`,
    );
  }
  return answer.cookie;
}

export interface ClientOptions {
  /** The loopback address the client connects from: 127.0.0.2, .3… */
  localAddress?: string;
  transports?: ('polling' | 'websocket')[];
  reconnection?: boolean;
}

/**
 * A socket.io-client socket that sends `cookie`, from `localAddress`, and the
 * welcome it got; rejects with the connect_error's message, or after CONNECT_MS.
 */
export async function join(
  kit: Kit,
  url: string,
  cookie: string,
  { localAddress, transports, reconnection = false }: ClientOptions = {},
): Promise<{ socket: Client; welcome: Welcome }> {
  const socket = kit.createClient(url, {
    extraHeaders: { cookie },
    // The polling transport takes an http.Agent; the WebSocket transport, the address itself.
    agent: (localAddress ? new Agent({ localAddress }) : false) as unknown as string,
    localAddress,
    reconnection,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    ...(transports ? { transports } : {}),
  } as Parameters<Kit['createClient']>[1]) as unknown as Client;
  const welcome = await new Promise<Welcome>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no welcome within ${CONNECT_MS} ms`)),
      CONNECT_MS,
    );
    socket.once('welcome', (welcome) => {
      clearTimeout(timer);
      resolve(welcome);
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      reject(new Error(`connect_error: ${error.message}`));
    });
  });
  return { socket, welcome };
}

/** The next `event` on `socket` within WAIT_MS, with a message that names it. */
export function next<T>(
  socket: Client,
  event: keyof ServerToClientEvents | 'disconnect',
  what: string,
) {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what}: no "${event}" within ${WAIT_MS} ms`)),
      WAIT_MS,
    );
    (socket as unknown as { once(event: string, listener: (value: T) => void): void }).once(
      event,
      (value: T) => {
        clearTimeout(timer);
        resolve(value);
      },
    );
  });
}

/**
 * The next `said` whose text is `text`: the tests of a file run side by side
 * on one cluster, and io.emit reaches their clients too.
 */
export function heard(socket: Client, text: string, what: string, waitMs = WAIT_MS): Promise<Said> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('said', listener);
      reject(new Error(`${what}: no "said" with the text "${text}" within ${waitMs} ms`));
    }, waitMs);
    const listener = (said: Said) => {
      if (said.text !== text) return;
      clearTimeout(timer);
      socket.off('said', listener);
      resolve(said);
    };
    socket.on('said', listener);
  });
}

/** Emit with an acknowledgement, within WAIT_MS. */
export function ask<E extends keyof ClientToServerEvents>(
  socket: Client,
  event: E,
  ...args: unknown[]
): Promise<unknown> {
  return (
    socket.timeout(WAIT_MS) as unknown as {
      emitWithAck(event: string, ...args: unknown[]): Promise<unknown>;
    }
  ).emitWithAck(event, ...args);
}
