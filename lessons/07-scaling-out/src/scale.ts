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
  // The adapter carries io.emit, rooms, fetchSockets() and serverSideEmit()
  // to every other process: through a Redis stream, or through the primary.
  io.adapter(
    redis
      ? createStreamsAdapter(redis, {
          streamName: `${setup.redisPrefix}socket.io`,
          channelPrefix: `${setup.redisPrefix}socket.io`,
          sessionKeyPrefix: `${setup.redisPrefix}sio:session:`,
        })
      : createClusterAdapter(),
  );
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
  // One store for every process: a login through one is seen by all of them.
  if (redis) return new RedisStore({ client: redis, prefix: `${setup.redisPrefix}sess:` });
  return new PrimaryStore();
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
  // The primary accepts every connection and passes it to a worker: by the
  // Engine.IO session id in the request (sid=…) when it has one, else to the
  // worker with the fewest sessions. Long-polling requests then all reach the
  // worker that holds their session. The request's first bytes travel with it
  // over IPC: 'advanced' serialization keeps that Buffer a Buffer.
  cluster.setupPrimary({ serialization: 'advanced' });
  const httpServer = createServer();
  routeBySessionId(httpServer, { loadBalancingMethod: 'least-connection' });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject).listen(setup.port, () => resolve());
  });
  // #endregion exercise-sticky
  // #region exercise-adapter
  // The cluster adapter's messages travel through the primary, which relays them.
  if (!setup.redisUrl) relayBetweenWorkers();
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
  // No listen() here: the primary owns the port and passes each connection on.
  takeConnectionsFromPrimary(scaled.io);
  // #endregion exercise-sticky
  return scaled;
}
