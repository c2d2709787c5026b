// Benchmark for lesson 7: the time for one io.emit to reach every one of 300
// clients, on one worker, on 3 cluster workers through the cluster adapter,
// and on 3 cluster workers through the Redis streams adapter (a redis-server
// of its own, without persistence); median of 5 rounds after one warm-up,
// with each figure's ratio to the single worker's. The clients all run in
// this process, over WebSocket; the sticky primary spreads them over the
// workers. Run it on a quiet machine:
//   node --import tsx scripts/bench/scaling.ts [--clients 300] [--runs 5]
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '@lessons/course';
import { findBinary } from '@lessons/test-kit/binaries';
import { type ServerProcess, startServer, stopServer } from '@lessons/test-kit/server-process';
import { type RedisService, startRedis } from '@lessons/test-kit/services';
import { io, type Socket } from 'socket.io-client';
import { median } from './median.ts';

const { values } = parseArgs({
  options: { clients: { type: 'string', default: '300' }, runs: { type: 'string', default: '5' } },
});
const CLIENTS = Number(values.clients);
const RUNS = Number(values.runs);
const lessonDir = join(ROOT, 'lessons/07-scaling-out');

interface Said {
  from: string;
  text: string;
  worker: number;
}

async function login(url: string): Promise<string> {
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench' }),
  });
  if (!response.ok) throw new Error(`POST /login: ${response.status}`);
  return response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
}

/** `count` clients of one session, connected 25 at a time; each with the worker that holds it. */
async function connectClients(url: string, count: number) {
  const cookie = await login(url);
  const clients: { socket: Socket; worker: number }[] = [];
  for (let i = 0; i < count; i += 25) {
    const batch = Array.from({ length: Math.min(25, count - i) }, async () => {
      const socket = io(url, {
        transports: ['websocket'],
        extraHeaders: { cookie },
        reconnection: false,
        forceNew: true,
      });
      const welcome = await new Promise<{ worker: number }>((resolve, reject) => {
        socket.once('welcome', resolve);
        socket.once('connect_error', reject);
      });
      return { socket, worker: welcome.worker };
    });
    clients.push(...(await Promise.all(batch)));
  }
  return clients;
}

/** Milliseconds from one `say` to the moment the last of `clients` has heard it. */
async function oneBroadcast(clients: { socket: Socket }[], text: string): Promise<number> {
  const started = performance.now();
  const heard = clients.map(
    ({ socket }) =>
      new Promise<void>((resolve) => {
        const listener = (said: Said) => {
          if (said.text !== text) return;
          socket.off('said', listener);
          resolve();
        };
        socket.on('said', listener);
      }),
  );
  await (clients[0]?.socket.timeout(10_000).emitWithAck('say', { text }) ?? Promise.resolve());
  await Promise.all(heard);
  return performance.now() - started;
}

async function measure(name: string, env: NodeJS.ProcessEnv) {
  const server: ServerProcess = await startServer(lessonDir, {
    env: { SESSION_SECRET: 'bench', REDIS_PREFIX: 'bench:', ...env },
    startupMs: 30_000,
  });
  try {
    const clients = await connectClients(server.url, CLIENTS);
    const spread = new Map<number, number>();
    for (const { worker } of clients) spread.set(worker, (spread.get(worker) ?? 0) + 1);
    await oneBroadcast(clients, `${name} warm-up`);
    const times: number[] = [];
    for (let run = 1; run <= RUNS; run += 1)
      times.push(await oneBroadcast(clients, `${name} ${run}`));
    for (const { socket } of clients) socket.close();
    return { name, times, median: median(times), spread: [...spread.values()] };
  } finally {
    await stopServer(server);
  }
}

const redisBinary = findBinary('redis-server');
const results = [];
console.log(
  `load average before: ${loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')}`,
);
results.push(await measure('1 worker', { WORKERS: '1' }));
results.push(await measure('3 workers, cluster adapter', { WORKERS: '3' }));
if (redisBinary) {
  const redis: RedisService = await startRedis(redisBinary);
  try {
    results.push(
      await measure('3 workers, Redis streams adapter', { WORKERS: '3', REDIS_URL: redis.url }),
    );
  } finally {
    await redis.stop();
  }
} else {
  console.log('redis-server is not installed: the Redis figure is left out.');
}
const single = results[0]?.median ?? Number.NaN;
console.log(`\n${CLIENTS} clients, one io.emit to all of them, median of ${RUNS}:`);
for (const { name, times, median, spread } of results) {
  console.log(
    `${name.padEnd(34)} ${median.toFixed(1).padStart(7)} ms  (×${(median / single).toFixed(2)} the single worker's; clients per worker ${spread.join('/')}; runs ${times.map((t) => t.toFixed(1)).join(', ')})`,
  );
}
console.log(
  `load average after: ${loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')}`,
);
