// What Socket.IO 4.8 itself does about delivery, each fact proved with a bare server
// and the real client. None of this is the lesson's code.
import { createServer } from 'node:http';
import { type Kit, kitFor, nextEvent, noEvent } from '@lessons/test-kit';
import { frame } from '@lessons/test-kit/server-process';
import express from 'express';
import { Server as IoServer, type Server, type ServerOptions } from 'socket.io';
import { Adapter } from 'socket.io-adapter';
import type { Socket } from 'socket.io-client';
import { describe, expect, it, type TestContext } from 'vitest';
import WebSocket from 'ws';

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

  it('buffers the client’s emits while it is disconnected (sendBuffer) and sends them on reconnection', async (context) => {
    const kit = kitFor(context);
    const server = await bare(kit);
    const socket = await kit.connect(server, { transport: 'websocket' });
    await cut(server.io, socket);
    socket.emit('note', 'written offline');
    expect(socket.sendBuffer.length, 'packets in sendBuffer while disconnected').toBe(1);
    await reconnect(socket);
    await roundTrip(socket);
    expect(server.notes, 'what the server received').toEqual(['written offline']);
  });
});

describe.concurrent('volatile, from the client', () => {
  it('is dropped before the first connection', async (context) => {
    const kit = kitFor(context);
    const server = await bare(kit);
    const socket = kit.createClient(server, { transport: 'websocket', autoConnect: false });
    socket.volatile.emit('note', 'volatile');
    socket.emit('note', 'plain');
    await reconnect(socket);
    await roundTrip(socket);
    expect(server.notes, 'what the server received').toEqual(['plain']);
  });

  it('is dropped right after disconnect(), while the DISCONNECT packet is being written', async (context) => {
    const kit = kitFor(context);
    const server = await bare(kit);
    const socket = await kit.connect(server, { transport: 'websocket' });
    socket.disconnect();
    socket.volatile.emit('note', 'volatile');
    socket.emit('note', 'plain');
    await reconnect(socket);
    await roundTrip(socket);
    expect(server.notes, 'what the server received').toEqual(['plain']);
  });

  it('is buffered once the closed connection has finished writing, even after disconnect()', async (context) => {
    const kit = kitFor(context);
    const server = await bare(kit);
    const socket = await kit.connect(server, { transport: 'websocket' });
    const closed = nextEvent(socket.io.engine, 'close');
    socket.disconnect();
    await closed;
    // The client asks the last transport whether it is writable: closed, it still says yes.
    socket.volatile.emit('note', 'volatile');
    expect(socket.sendBuffer.length, 'packets in sendBuffer').toBe(1);
    await reconnect(socket);
    await roundTrip(socket);
    expect(server.notes, 'what the server received').toEqual(['volatile']);
  });

  it('is buffered and sent after an automatic reconnection that follows a transport close', async (context) => {
    const kit = kitFor(context);
    const server = await bare(kit);
    const socket = await kit.connect(server, {
      transport: 'websocket',
      reconnection: true,
      reconnectionDelay: 10,
    });
    const lost = nextEvent<[string]>(socket, 'disconnect');
    serverSocket(server.io, socket).conn.close();
    expect((await lost)[0], 'the reason the client gives').toBe('transport close');
    // The old Engine.IO transport still says it is writable, so the packet is not dropped.
    socket.volatile.emit('note', 'volatile');
    await nextEvent(socket, 'connect');
    await roundTrip(socket);
    expect(server.notes, 'what the server received').toEqual(['volatile']);
  });

  it('is dropped while the transport is still writing: another emit in the same tick', async (context) => {
    const kit = kitFor(context);
    const server = await bare(kit);
    const socket = await kit.connect(server, { transport: 'websocket' });
    socket.emit('note', 'plain');
    socket.volatile.emit('note', 'volatile, same tick');
    await roundTrip(socket);
    expect(server.notes, 'what the server received').toEqual(['plain']);
  });

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

describe.concurrent('connection state recovery', () => {
  /** A server with recovery, a client that has received one event (so it has an offset), then cut. */
  async function cutWithOffset(context: TestContext, options: Partial<ServerOptions> = {}) {
    const kit = kitFor(context);
    const server = await bare(kit, { connectionStateRecovery: {}, ...options });
    const socket = await kit.connect(server, { transport: 'websocket' });
    const news = record(socket, 'news');
    server.io.emit('news', 'first');
    await roundTrip(socket);
    await cut(server.io, socket);
    return { kit, server, socket, news };
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
    await reconnect(socket);
    await roundTrip(socket);
    expect(socket.recovered, 'socket.recovered').toBe(true);
    expect(
      news.map(([text]) => text),
      'what the client received',
    ).toEqual(['first', 'plain']);
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

  it('does not recover a client that has received no event yet: it has no offset to send', async (context) => {
    const kit = kitFor(context);
    const server = await bare(kit, { connectionStateRecovery: {} });
    const socket = await kit.connect(server, { transport: 'websocket' });
    const id = socket.id;
    await cut(server.io, socket);
    await reconnect(socket);
    expect(socket.recovered, 'socket.recovered').toBe(false);
    expect(socket.id, 'the socket.id').not.toBe(id);
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

describe.concurrent('handlers and heartbeats', () => {
  it('runs a handler registered in the connect handler once per connection so far', async (context) => {
    const kit = kitFor(context);
    const server = await bare(kit);
    const socket = kit.createClient(server, { transport: 'websocket' });
    let calls = 0;
    socket.on('connect', () => {
      socket.on('news', () => calls++);
    });
    await nextEvent(socket, 'connect');
    for (let n = 0; n < 2; n++) {
      await cut(server.io, socket);
      await reconnect(socket);
    }
    server.io.emit('news', 'once');
    await roundTrip(socket);
    expect(calls, 'calls for one news after two reconnections').toBe(3);
  });

  it('disconnects a client that stops answering pings, with the reason "ping timeout"', async (context) => {
    const kit = kitFor(context);
    const server = await bare(kit, { pingInterval: 50, pingTimeout: 50 });
    const connection = nextEvent<[{ on: (e: string, f: (r: string) => void) => void }]>(
      server.io,
      'connection',
    );
    // A raw WebSocket client that connects and then never answers the server's pings.
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`);
    context.onTestFinished(() => ws.terminate());
    await frame(ws, '0{');
    ws.send('40');
    const [socket] = await connection;
    const reason = await new Promise<string>((resolve) => socket.on('disconnect', resolve));
    expect(reason, 'the disconnect reason on the server').toBe('ping timeout');
    await noEvent(ws, 'message', 10);
  });
});
