// Worked examples: the other Redis adapter, and fetchSockets() used for a count.
import { createAdapter } from '@socket.io/redis-adapter';
import type { Server } from 'socket.io';
import type { Redis } from '../src/redis.ts';

// #region pubsub-adapter
/**
 * The Redis pub/sub adapter: every broadcast is a PUBLISH, heard by the
 * processes subscribed at that moment and by no one later. It takes two
 * clients, one that publishes and one that subscribes.
 */
export async function usePubSubAdapter(io: Server, redis: Redis): Promise<Redis> {
  const subscriber = redis.duplicate();
  await subscriber.connect();
  io.adapter(createAdapter(redis, subscriber));
  return subscriber;
}
// #endregion pubsub-adapter

// #region count-by-server
/** How many sockets each server holds, by the name it keeps in socket.data.server. */
export async function countByServer(io: Server): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { data } of await io.fetchSockets()) {
    counts[data.server] = (counts[data.server] ?? 0) + 1;
  }
  return counts;
}
// #endregion count-by-server
