import { createClient, type RedisClientType } from 'redis';

export type Redis = RedisClientType;

/**
 * A connected node-redis client for `url`. Unreachable at start-up, it fails
 * at once with an error that names the address, instead of retrying forever
 * (node-redis's default): a process that cannot reach its bus must not start.
 * Once connected, a lost connection is retried, and commands wait in the
 * client's queue until it is back.
 */
export async function connectRedis(url: string): Promise<Redis> {
  let connected = false;
  const client: Redis = createClient({
    url,
    socket: {
      connectTimeout: 2000,
      reconnectStrategy: (retries, cause) =>
        connected ? Math.min(50 * 2 ** retries, 1000) : new Error(cannotReach(url, cause)),
    },
  });
  // Logged once per outage, not once per retry; the adapter's own clients are silent.
  let reported = false;
  client.on('error', (error: Error) => {
    if (connected && !reported) console.error(`Redis at ${url}: ${error.message}; retrying`);
    reported = true;
  });
  client.on('ready', () => {
    reported = false;
  });
  await client.connect(); // rejects with cannotReach(): see reconnectStrategy
  connected = true;
  return client;
}

function cannotReach(url: string, cause: unknown): string {
  const why = cause instanceof Error ? cause.message : String(cause);
  return `Cannot reach Redis at ${url} (${why || 'connection refused'}). Is redis-server running?`;
}
