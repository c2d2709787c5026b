import { createServer } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import express from 'express';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  closeAll,
  connect,
  connectError,
  createClient,
  hear,
  kitFor,
  nextEvent,
  noEvent,
  type StartedLesson,
  startLesson,
} from '../index.ts';

function createApp() {
  const app = express();
  const httpServer = createServer(app);
  const io = new Server(httpServer);
  io.use((socket, next) => {
    next(socket.handshake.auth.refuse ? new Error('refused') : undefined);
  });
  io.on('connection', (socket) => {
    socket.on('ping', (ack: (reply: string) => void) => ack('pong'));
  });
  return { app, httpServer, io };
}

/** Sockets and servers in this process, the handles a leak would leave behind. */
function networkHandles(): number {
  return process
    .getActiveResourcesInfo()
    .filter((name) => name === 'TCPSocketWrap' || name === 'TCPServerWrap').length;
}

afterEach(closeAll);

describe('startLesson()', () => {
  it('listens on a free port on 127.0.0.1 and reports its URL', async () => {
    const lesson = await startLesson(createApp);
    expect(lesson.port).toBeGreaterThan(0);
    expect(lesson.url).toBe(`http://127.0.0.1:${lesson.port}`);
    expect(lesson.httpServer.listening).toBe(true);
  });
});

describe('connect()', () => {
  it.each(['polling', 'websocket'] as const)(
    'connects a real client over %s',
    async (transport) => {
      const lesson = await startLesson(createApp);
      const socket = await connect(lesson, { transport });
      expect(socket.io.engine.transport.name).toBe(transport);
      expect(await socket.emitWithAck('ping')).toBe('pong');
    },
  );

  it('rejects with the server middleware message when the connection is refused', async () => {
    const lesson = await startLesson(createApp);
    await expect(connect(lesson, { auth: { refuse: true } })).rejects.toThrow(
      'Client could not connect: refused',
    );
  });
});

describe('connectError()', () => {
  it('resolves with the connect_error a refused client receives', async () => {
    const lesson = await startLesson(createApp);
    expect((await connectError(lesson, { auth: { refuse: true } })).message).toBe('refused');
  });

  it('rejects when the client connects after all', async () => {
    const lesson = await startLesson(createApp);
    await expect(connectError(lesson)).rejects.toThrow('Expected the connection to be refused');
  });
});

describe('nextEvent()', () => {
  it('times out with a message that names the event', async () => {
    const lesson = await startLesson(createApp);
    const socket = await connect(lesson);
    await expect(nextEvent(socket, 'never', 50)).rejects.toThrow(
      'Timed out after 50 ms waiting for the "never" event',
    );
  });
});

describe('hear()', () => {
  it('collects what each socket receives during the action, and an empty list for the others', async () => {
    const lesson = await startLesson(createApp);
    const [ana, ben] = await Promise.all([connect(lesson), connect(lesson)]);
    const heard = await hear(lesson, { ana, ben }, 'news', () => {
      lesson.io.to(ana.id as string).emit('news', 'for ana', 1);
      lesson.io.to(ana.id as string).emit('news', 'for ana', 2);
    });
    expect(heard).toEqual({ ana: ['for ana', 'for ana'], ben: [] });
  });
});

describe('noEvent()', () => {
  it('rejects when the event arrives after all', async () => {
    const lesson = await startLesson(createApp);
    const socket = createClient(lesson);
    await expect(noEvent(socket, 'connect', 500)).rejects.toThrow('Expected no "connect" event');
  });
});

describe('closeAll()', () => {
  it('closes every server and client it opened, leaving no sockets or servers behind', async () => {
    // Earlier tests' sockets may still be finishing their TCP close.
    await vi.waitFor(() => expect(networkHandles()).toBe(0), { timeout: 1000 });
    const lessons = await Promise.all([startLesson(createApp), startLesson(createApp)]);
    const sockets = await Promise.all([
      connect(lessons[0], { transport: 'polling' }),
      connect(lessons[0], { transport: 'websocket' }),
      connect(lessons[1]),
    ]);
    expect(networkHandles()).toBeGreaterThanOrEqual(5); // 2 servers, 3 clients

    await closeAll();

    for (const lesson of lessons) expect(lesson.httpServer.listening).toBe(false);
    for (const socket of sockets) expect(socket.connected).toBe(false);
    await vi.waitFor(() => expect(networkHandles()).toBe(0), { timeout: 1000 });
  });

  it('does not wait for a connection someone else holds open, such as a browser page', async () => {
    const lesson = await startLesson(createApp);
    // Half a request: the server waits for the rest of its headers for a minute.
    const browser = tcpConnect(lesson.port, '127.0.0.1');
    await new Promise((resolve) => browser.once('connect', resolve));
    browser.write('GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n');
    const closed = new Promise((resolve) => browser.once('close', resolve));
    browser.on('error', () => {}); // ECONNRESET, when closeAll() cuts it

    await closeAll();

    expect(lesson.httpServer.listening).toBe(false);
    await closed;
  });
});

describe('kitFor()', () => {
  let first: StartedLesson | undefined;

  describe.concurrent('gives concurrent tests a kit each', () => {
    it('closes the servers and clients of a test when that test finishes', async (context) => {
      first = await kitFor(context).startLesson(createApp);
    });

    it('while the servers of the tests still running stay open', async (context) => {
      const kit = kitFor(context);
      const lesson = await kit.startLesson(createApp);
      await vi.waitFor(() => expect(first?.httpServer.listening).toBe(false), { timeout: 1000 });
      const socket = await kit.connect(lesson);
      expect(await socket.timeout(1000).emitWithAck('ping')).toBe('pong');
    });
  });
});
