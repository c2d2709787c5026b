// What Socket.IO 4.8 itself does about delivery, each fact proved with a bare server
// and the real client. None of this is the lesson's code. The client's own buffer,
// volatile's cases, a client with no offset yet, handlers registered on connect and the
// ping timeout are proved once, in lesson 2's test/facts/socket-io.test.ts, on every
// transport; lesson 7's test/facts/recovery.test.ts proves which adapters recover.
import { createServer } from 'node:http';
import { type Kit, kitFor, nextEvent } from '@lessons/test-kit';
import express from 'express';
import { Server as IoServer, type Server, type ServerOptions } from 'socket.io';
import { Adapter } from 'socket.io-adapter';
import type { Socket } from 'socket.io-client';
import { describe, expect, it, type TestContext } from 'vitest';

/** A bare server on port 0 whose sockets answer 'ping' and record every 'note'. */
async function bare(kit: Kit, options: Partial<ServerOptions> = {}) {
  const notes: unknown[] = [];
  const lesson = await kit.startLesson(() => {
    const httpServer = createServer();
    return { app: express(), httpServer, io: new IoServer(httpServer, options) };
  });
  lesson.io.on('connection', (socket) => {
    socket.on('note', (...args: unknown[]) => notes.push(args[0]));
    socket.on('ping?', (ack: () => void) => ack());
  });
  return Object.assign(lesson, { notes });
}

/** Every event the client received before now has arrived: one connection keeps order. */
const roundTrip = (socket: Socket) => socket.timeout(1000).emitWithAck('ping?');

/** The server's socket of a connected client. */
const serverSocket = (io: Server, socket: Socket) => {
  const found = io.of('/').sockets.get(socket.id ?? '');
  if (!found) throw new Error(`no server socket ${socket.id}`);
  return found;
};

/** Close the client's Engine.IO connection and wait until both ends know. */
async function cut(io: Server, socket: Socket) {
  const gone = Promise.all([
    nextEvent(serverSocket(io, socket), 'disconnect'),
    nextEvent(socket, 'disconnect'),
  ]);
  socket.io.engine.close();
  await gone;
}

async function reconnect(socket: Socket) {
  const back = nextEvent(socket, 'connect');
  socket.connect();
  await back;
}

/** Record each `event` the client receives, with all its arguments. */
function record(socket: Socket, event: string) {
  const got: unknown[][] = [];
  socket.on(event, (...args: unknown[]) => got.push(args));
  return got;
}

describe.concurrent('at most once, by default', () => {
  it('keeps no buffer on the server: what is sent while a client is disconnected is lost', async (context) => {
    const kit = kitFor(context);
    const server = await bare(kit);
    const socket = await kit.connect(server, { transport: 'websocket' });
    const news = record(socket, 'news');
    await cut(server.io, socket);
    server.io.emit('news', 'while away');
    await reconnect(socket);
    server.io.emit('news', 'after');
    await roundTrip(socket);
    expect(news, 'what the client received').toEqual([['after']]);
  });
});

describe.concurrent('volatile, from the client', () => {
  it('skips the retries queue: it goes out while a queued emit still waits for its answer', async (context) => {
    const kit = kitFor(context);
    const server = await bare(kit);
    server.io.on('connection', (socket) => socket.on('slow', () => {})); // never answers
    const socket = await kit.connect(server, { transport: 'websocket', retries: 3 });
    socket.emit('slow', () => {});
    socket.emit('note', 'queued behind slow');
    await nextEvent(socket.io.engine, 'drain'); // the transport can write again
    socket.volatile.emit('note', 'volatile');
    await nextEvent(socket.io.engine, 'drain');
    await socket.volatile.timeout(1000).emitWithAck('ping?');
    expect(server.notes, 'what the server received').toEqual(['volatile']);
  });
});

describe.concurrent('retries, from the client', () => {
  it('queues a plain emit too, and waits for an answer to it: a handler that never answers holds up the next emit until its tries run out', async (context) => {
    const kit = kitFor(context);
    const server = await bare(kit);
    const seen: string[] = [];
    let nextArrived: () => void = () => {};
    const next = new Promise<void>((resolve) => {
      nextArrived = resolve;
    });
    server.io.on('connection', (socket) => {
      // Neither handler answers: the client asked for no acknowledgement.
      socket.on('plain', (...args: unknown[]) => {
        seen.push(`plain, its last argument a ${typeof args.at(-1)}`);
      });
      socket.on('next', () => {
        seen.push('next');
        nextArrived();
      });
    });
    const socket = await kit.connect(server, {
      transport: 'websocket',
      retries: 1,
      ackTimeout: 100,
    });
    const started = performance.now();
    socket.emit('plain', 'no callback');
    socket.emit('next');
    await next;
    expect(seen, 'what the server saw, in order').toEqual([
      'plain, its last argument a function', // the client added an acknowledgement of its own
      'plain, its last argument a function', // resent after ackTimeout: 1 retry
      'next',
    ]);
    // Two tries of ackTimeout each before the queue moved on.
    expect(performance.now() - started).toBeGreaterThanOrEqual(200 - 5);
  });
});

describe.concurrent('connection state recovery', () => {
  /**
   * A server with recovery, a client that has received one event (so it has an offset), then
   * cut; `held` is the server's socket for it, as the server held it before the cut.
   */
  async function cutWithOffset(context: TestContext, options: Partial<ServerOptions> = {}) {
    const kit = kitFor(context);
    const server = await bare(kit, { connectionStateRecovery: {}, ...options });
    const socket = await kit.connect(server, { transport: 'websocket' });
    const news = record(socket, 'news');
    server.io.emit('news', 'first');
    await roundTrip(socket);
    const held = serverSocket(server.io, socket);
    await cut(server.io, socket);
    return { kit, server, socket, news, held };
  }

  /** Reconnect the client, check that it was recovered, and say what news it has received. */
  async function recoveredWith(socket: Socket, news: unknown[][]): Promise<unknown[]> {
    await reconnect(socket);
    await roundTrip(socket);
    expect(socket.recovered, 'socket.recovered').toBe(true);
    return news.map(([text]) => text);
  }

  it('appends an offset to each event it may replay: the handler gets it as one more argument', async (context) => {
    const { news } = await cutWithOffset(context);
    expect(news, 'the arguments of the first news').toEqual([['first', expect.any(String)]]);
  });

  it('replays what was emitted without acknowledgement, and not emitWithAck, timeout().emit or volatile', async (context) => {
    const { server, socket, news } = await cutWithOffset(context);
    server.io.emit('news', 'plain');
    server.io.volatile.emit('news', 'volatile');
    server.io.timeout(50).emit('news', 'with ack', () => {});
    server.io
      .timeout(50)
      .emitWithAck('news', 'emitWithAck')
      .catch(() => {});
    expect(await recoveredWith(socket, news), 'what the client received').toEqual([
      'first',
      'plain',
    ]);
  });

  it('replays a socket.emit too: with recovery on, an emit to one socket is a broadcast to its own room', async (context) => {
    const { server, socket, news, held } = await cutWithOffset(context);
    expect(server.io.of('/').sockets.size, 'the server sockets since the cut').toBe(0);
    held.emit('news', 'to her socket alone'); // its id is a room of its own
    expect(await recoveredWith(socket, news), 'what the client received').toEqual([
      'first',
      'to her socket alone',
    ]);
  });

  it('skips the io.use middlewares on a recovery by default (skipMiddlewares: true)', async (context) => {
    const kit = kitFor(context);
    const server = await bare(kit, { connectionStateRecovery: {} });
    let runs = 0;
    server.io.use((_socket, next) => {
      runs++;
      next();
    });
    const socket = await kit.connect(server, { transport: 'websocket' });
    server.io.emit('news', 'first');
    await roundTrip(socket);
    await cut(server.io, socket);
    await reconnect(socket);
    expect(socket.recovered, 'socket.recovered').toBe(true);
    expect(runs, 'middleware runs for a connection and its recovery').toBe(1);
  });

  it('does not survive a server restart: the sessions live in the server’s memory', async (context) => {
    const { kit, server, socket } = await cutWithOffset(context);
    const port = server.port;
    await new Promise<void>((resolve) => server.io.close(() => resolve()));
    const httpServer = createServer();
    const again = new IoServer(httpServer, { connectionStateRecovery: {} });
    await new Promise<void>((resolve) => httpServer.listen(port, '127.0.0.1', resolve));
    context.onTestFinished(() => new Promise<void>((resolve) => again.close(() => resolve())));
    await reconnect(socket);
    expect(socket.recovered, 'socket.recovered after the restart').toBe(false);
    void kit;
  });

  it('does nothing with an adapter that cannot store sessions (the base Adapter, as Redis pub/sub)', async (context) => {
    const { socket } = await cutWithOffset(context, { adapter: Adapter });
    await reconnect(socket);
    expect(socket.recovered, 'socket.recovered').toBe(false);
  });
});
