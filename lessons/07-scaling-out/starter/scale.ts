// The parts that let several processes serve one app: an adapter that carries
// broadcasts and questions between them, sticky sessions that keep each
// Engine.IO session on the process that holds it, and one session store.
import cluster from 'node:cluster';
import { createServer, type Server as HttpServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import {
  createAdapter as createClusterAdapter,
  setupPrimary as relayBetweenWorkers,
} from '@socket.io/cluster-adapter';
import { createAdapter as createStreamsAdapter } from '@socket.io/redis-streams-adapter';
import {
  setupMaster as routeBySessionId,
  setupWorker as takeConnectionsFromPrimary,
} from '@socket.io/sticky';
import { RedisStore } from 'connect-redis';
import type session from 'express-session';
import { createApp, type ScaledServer } from './app.ts';
import { PrimaryStore, servePrimaryStore } from './primary-store.ts';
import { connectRedis, type Redis } from './redis.ts';
import type { Setup } from './setup.ts';

/** One process's app, with its adapter and session store, ready to serve. */
export interface ScaledApp {
  httpServer: HttpServer;
  io: ScaledServer;
  /** Closes the app and its Redis clients. */
  close(): Promise<void>;
}

/**
 * Build this process's app: its session store and its adapter, on Redis when
 * the setup names one, else on the cluster's primary. Opens no port.
 */
export async function scaledApp(setup: Setup): Promise<ScaledApp> {
  const redis = setup.redisUrl ? await connectRedis(setup.redisUrl) : undefined;
  const { httpServer, io } = createApp({ store: sessionStore(setup, redis), secret: setup.secret });
  // #region exercise-adapter
  // TODO(adapter): give io an adapter with io.adapter(): with Redis (redis is a
  // connected client), the Redis streams adapter over that client, its stream,
  // channels and session keys prefixed with setup.redisPrefix; without Redis, the
  // cluster adapter. Until then each process broadcasts to its own clients only.
  void [createStreamsAdapter, createClusterAdapter];
  // #endregion exercise-adapter
  return {
    httpServer,
    io,
    async close() {
      await io.close();
      redis?.destroy();
    },
  };
}

/** The store every process shares; undefined leaves createApp() a MemoryStore of its own. */
function sessionStore(setup: Setup, redis: Redis | undefined): session.Store | undefined {
  // #region exercise-session-store
  // TODO(session-store): return one store that every process shares: with Redis,
  // a RedisStore (connect-redis) over the redis client, its keys prefixed with
  // setup.redisPrefix; without Redis, a PrimaryStore (sessions kept in the primary).
  // Until then each process has sessions of its own.
  void [setup, redis, RedisStore, PrimaryStore];
  return undefined;
  // #endregion exercise-session-store
}

/**
 * In the cluster's primary: listen on the setup's port, hand each connection
 * to a worker, and start the workers. Resolves once every worker is ready.
 */
export async function startPrimary(setup: Setup): Promise<void> {
  cluster.setupPrimary({
    exec: fileURLToPath(new URL('./worker.ts', import.meta.url)),
    execArgv: ['--import', 'tsx'],
  });
  // Checked once here, so that an unreachable Redis is one clear error, not one per worker.
  if (setup.redisUrl) (await connectRedis(setup.redisUrl)).destroy();
  else servePrimaryStore();
  // #region exercise-sticky
  // TODO(sticky): make the primary own the port and route each connection to a
  // worker by its Engine.IO session id (setupMaster from @socket.io/sticky, imported
  // as routeBySessionId): set cluster.setupPrimary({ serialization: 'advanced' }),
  // create an HTTP server, route it, and listen on setup.port. Until then the
  // workers listen themselves, and Node's cluster deals requests out in turn.
  void [createServer, routeBySessionId];
  // #endregion exercise-sticky
  // #region exercise-adapter
  // TODO(adapter): without Redis, the cluster adapter's messages travel through
  // the primary: set it up to relay them (setupPrimary from @socket.io/cluster-adapter,
  // imported as relayBetweenWorkers).
  void relayBetweenWorkers;
  // #endregion exercise-adapter
  stopWorkersOnExit();
  await Promise.all(Array.from({ length: setup.workers }, () => startWorker(setup)));
  // A worker that dies is not replaced here: sticky would hand the new one
  // connections before it is ready. Its clients reconnect to the others; a
  // process manager (systemd, Kubernetes) restarts the whole cluster if need be.
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) console.error(`worker ${worker.process.pid} died (${signal ?? code})`);
  });
}

/** On SIGTERM or SIGINT, stop every worker, wait until they have exited, then exit. */
let stopping = false;
function stopWorkersOnExit() {
  const stop = async () => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
    const exited = workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve)));
    for (const worker of workers) worker.process.kill('SIGTERM');
    await Promise.all(exited);
    process.exit(0);
  };
  process.once('SIGTERM', stop).once('SIGINT', stop);
}

/**
 * Fork a worker and resolve once it reports ready, or reject with why it exited. The
 * worker gets the primary's cookie secret: without SESSION_SECRET, each process that read
 * its setup would make a random one of its own, and refuse the cookies of the others.
 */
function startWorker(setup: Setup): Promise<void> {
  const worker = cluster.fork({ SESSION_SECRET: setup.secret });
  return new Promise((resolve, reject) => {
    worker.on('message', (message: { type?: string; error?: string }) => {
      if (message?.type === 'ready') resolve();
      if (message?.type === 'failed') reject(new Error(message.error));
    });
    worker.once('exit', (code) =>
      reject(new Error(`a worker exited (${code}) before it was ready`)),
    );
  });
}

/** In a cluster worker: serve the connections the primary hands over. */
export async function serveInWorker(setup: Setup): Promise<ScaledApp> {
  const scaled = await scaledApp(setup);
  // #region exercise-sticky
  // TODO(sticky): take the connections the primary hands over
  // (setupWorker from @socket.io/sticky, imported as takeConnectionsFromPrimary)
  // instead of listening. Until then this worker listens on the shared port.
  void takeConnectionsFromPrimary;
  await new Promise<void>((resolve) => scaled.httpServer.listen(setup.port, resolve));
  // #endregion exercise-sticky
  return scaled;
}
