import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { kitFor, nextEvent } from '@lessons/test-kit';
import { requireBinary } from '@lessons/test-kit/requires';
import { startRedis } from '@lessons/test-kit/services';
import { Server } from 'socket.io';
import { describe, expect, it, onTestFinished } from 'vitest';
import { countByServer, usePubSubAdapter } from '../../examples/pubsub.ts';
import { connectRedis } from '../../src/redis.ts';

/** A bare Socket.IO server named `name`, on the pub/sub adapter over `redisUrl`. */
async function server(name: string, redisUrl: string) {
  const httpServer = createServer();
  const io = new Server(httpServer);
  const redis = await connectRedis(redisUrl);
  const subscriber = await usePubSubAdapter(io, redis);
  io.use((socket, next) => {
    socket.data.server = name;
    next();
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    await io.close();
    // close(), not destroy(): destroy() rejects a PUBLISH still on its way, unhandled.
    await Promise.all([subscriber.close(), redis.close()]);
  });
  return { io, url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}` };
}

describe('the worked examples: the pub/sub adapter, and a count by server', () => {
  const redisServer = requireBinary('redis-server');

  it('io.emit on one server reaches the clients of the other; fetchSockets() counts both', async (context) => {
    const redis = await startRedis(redisServer());
    onTestFinished(() => redis.stop());
    const kit = kitFor(context);
    const a = await server('a', redis.url);
    const b = await server('b', redis.url);
    const onA = await kit.connect(a.url);
    const onB = await kit.connect(b.url);
    await kit.connect(b.url);
    const heard = [nextEvent(onA, 'news'), nextEvent(onB, 'news')];
    a.io.emit('news', 'from a');
    expect(await Promise.all(heard)).toEqual([['from a'], ['from a']]);
    expect(await countByServer(a.io)).toEqual({ a: 1, b: 2 });
  });
});
