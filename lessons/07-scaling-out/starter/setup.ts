// Which deployment server.ts starts, read from its environment.
import { randomBytes } from 'node:crypto';

export interface Setup {
  /** The port clients connect to. */
  port: number;
  /**
   * Node cluster workers behind a sticky primary (3 by default), or 0: this
   * process serves alone on `port`, one of several behind a proxy such as nginx.
   */
  workers: number;
  /** Redis for the adapter and the sessions; without it, the primary holds both. */
  redisUrl?: string;
  /** Put before every Redis key and channel, so that several apps can share one Redis. */
  redisPrefix: string;
  /** The cookie secret every process shares. */
  secret: string;
}

export function setupFrom(env: NodeJS.ProcessEnv): Setup {
  const workers = Number(env.WORKERS ?? 3);
  if (!Number.isInteger(workers) || workers < 0 || workers > 64) {
    throw new Error(`WORKERS must be a whole number from 0 to 64, not ${env.WORKERS}`);
  }
  const redisUrl = env.REDIS_URL || undefined;
  if (workers === 0 && !redisUrl) {
    throw new Error(
      'WORKERS=0 runs one process of several behind a proxy: they share Redis, so set REDIS_URL',
    );
  }
  return {
    port: Number(env.PORT ?? 3000),
    workers,
    redisUrl,
    redisPrefix: env.REDIS_PREFIX ?? 'lesson7:',
    // Random unless set: the primary hands its own to every worker (see startWorker()).
    secret: env.SESSION_SECRET || randomBytes(32).toString('hex'),
  };
}

/** One line that says what is running, e.g. for `pnpm lesson 7`. */
export function describeSetup(setup: Setup): string {
  const bus = setup.redisUrl
    ? `Redis streams adapter and Redis sessions at ${setup.redisUrl}`
    : 'cluster adapter and sessions in the primary (no Redis)';
  return setup.workers === 0
    ? `one process of several, pid ${process.pid}, with the ${bus}`
    : `${setup.workers} workers (Node cluster, sticky sessions by @socket.io/sticky), with the ${bus}`;
}
