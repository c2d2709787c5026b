// Which adapters keep connection state recovery. The in-memory adapter
// (socket.io-adapter's SessionAwareAdapter) and the Redis streams adapter keep
// the session; the Redis pub/sub adapter and the cluster adapter extend the
// plain Adapter, whose persistSession() does nothing and whose restoreSession()
// answers null (socket.io-adapter 2.5, in-memory-adapter.ts; the cluster
// adapter's doPublish() says "connection state recovery is not supported").
// Each case here: a client hears one broadcast, its transport is cut, and it
// reconnects to the same server.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { kitFor, nextEvent } from '@lessons/test-kit';
import { findBinary, installHint } from '@lessons/test-kit/binaries';
import { startRedis } from '@lessons/test-kit/services';
import { Server } from 'socket.io';
import type { Socket } from 'socket.io-client';
import { describe, expect, it, type TestContext } from 'vitest';
import { usePubSubAdapter } from '../../examples/pubsub.ts';
import { connectRedis } from '../../src/redis.ts';
import { ask, CLUSTER_STARTUP_MS, join, login, startLessonServer, stopAll } from '../scaled.ts';

/** A bare server with recovery on, and `setup` to give it an adapter. */
async function recoveringServer(
  { onTestFinished }: TestContext,
  setup: (io: Server) => Promise<void> | void = () => {},
) {
  const httpServer = createServer();
  const io = new Server(httpServer, { connectionStateRecovery: {} });
  await setup(io);
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => io.close());
  return { io, url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}` };
}

/**
 * Hear one broadcast, cut the transport, miss one, reconnect, and hear one
 * more: whether the client was recovered, kept its id, and which broadcast it
 * heard first once back ("missed" when it was replayed).
 */
async function cutAndReconnect(socket: Socket, io: Server) {
  const heard = nextEvent(socket, 'news');
  io.emit('news', 'before');
  await heard;
  const { id } = socket;
  const gone = nextEvent(socket, 'disconnect');
  socket.io.engine.close();
  await gone;
  io.emit('news', 'missed');
  const back = nextEvent(socket, 'connect', 3000);
  const firstAfter = nextEvent<[string]>(socket, 'news', 3000);
  socket.connect();
  await back;
  io.emit('news', 'after');
  return {
    recovered: socket.recovered,
    sameId: socket.id === id,
    firstAfter: (await firstAfter)[0],
  };
}

// Side by side: the cluster's start-up is most of the time.
describe.concurrent('connection state recovery, adapter by adapter', () => {
  it('the in-memory adapter (one process) recovers: same id, the missed broadcast replayed', async (context) => {
    const kit = kitFor(context);
    const { io, url } = await recoveringServer(context);
    const socket = await kit.connect(url, { reconnection: false });
    expect(await cutAndReconnect(socket, io)).toEqual({
      recovered: true,
      sameId: true,
      firstAfter: 'missed',
    });
  });

  it('the Redis pub/sub adapter does not: a new id, nothing replayed', async (context) => {
    const redisServer = findBinary('redis-server');
    if (!redisServer) {
      context.skip(`redis-server is not installed: install it with ${installHint('redis-server')}`);
      return;
    }
    const redisService = await startRedis(redisServer);
    context.onTestFinished(() => redisService.stop());
    const kit = kitFor(context);
    const redis = await connectRedis(redisService.url);
    let subscriber: Awaited<ReturnType<typeof usePubSubAdapter>> | undefined;
    const { io, url } = await recoveringServer(context, async (io) => {
      subscriber = await usePubSubAdapter(io, redis);
    });
    // close(), not destroy(): it lets the PUBLISH of the last broadcast finish first.
    context.onTestFinished(async () => {
      await subscriber?.close();
      await redis.close();
    });
    const socket = await kit.connect(url, { reconnection: false });
    expect(await cutAndReconnect(socket, io)).toEqual({
      recovered: false,
      sameId: false,
      firstAfter: 'after',
    });
  });

  it(
    'the cluster adapter does not: a new id, even back on the worker it left',
    async (context) => {
      const kit = kitFor(context);
      // 1 worker, no Redis: the cluster adapter, sessions in the primary. The client can
      // only come back to the worker it left, which still does not know it.
      const cluster = await startLessonServer({ WORKERS: '1' });
      context.onTestFinished(() => stopAll([cluster], undefined));
      const { socket } = await join(kit, cluster.url, await login(cluster.url, 'ivy'), {
        transports: ['websocket'],
      });
      const client = socket as unknown as Socket;
      const heard = nextEvent(client, 'said');
      expect(await ask(socket, 'say', { text: 'one broadcast' })).toEqual({ ok: true });
      await heard;
      const { id } = socket;
      const gone = nextEvent(client, 'disconnect');
      socket.io.engine.close();
      await gone;
      const back = nextEvent(client, 'welcome', 3000);
      socket.connect();
      await back;
      expect({ recovered: socket.recovered, sameId: socket.id === id }).toEqual({
        recovered: false,
        sameId: false,
      });
    },
    CLUSTER_STARTUP_MS + 5000,
  );
});
