// What Socket.IO 4.8 itself does, proven with real clients against tiny servers
// built here. None of these tests runs the learner's code.
import { createServer } from 'node:http';
import {
  type ConnectOptions,
  closeAll,
  createClient,
  nextEvent,
  noEvent,
  type StartedLesson,
  startLesson,
} from '@lessons/test-kit';
import express from 'express';
import { Server, type Socket as ServerSocket } from 'socket.io';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(closeAll);

/** Poll every 5 ms: what a test waits for here takes a few milliseconds on localhost. */
const often = { interval: 5 };

type Tiny = StartedLesson<{
  app: express.Express;
  httpServer: ReturnType<typeof createServer>;
  io: Server;
}>;

/** A bare Express + Socket.IO server; `onConnection` gives each socket its handlers. */
function tinyServer(onConnection: (socket: ServerSocket) => void = () => {}): Promise<Tiny> {
  return startLesson(() => {
    const app = express();
    const httpServer = createServer(app);
    const io = new Server(httpServer);
    io.on('connection', onConnection);
    return { app, httpServer, io };
  });
}

/**
 * Connect a client and resolve with both ends: the client socket and the
 * server's socket. Over WebSocket, the quickest handshake, unless a test names
 * a transport: these facts hold on either.
 */
async function pair(server: Tiny, options: ConnectOptions = {}) {
  const serverSide = nextEvent<[ServerSocket]>(server.io, 'connection');
  const client = createClient(server, { transport: 'websocket', ...options });
  const [[socket]] = await Promise.all([serverSide, nextEvent(client, 'connect')]);
  return { client, socket };
}

/** Reconnect quickly, so a test can watch a reconnection without waiting for the default back-off. */
const reconnectFast: ConnectOptions = {
  reconnection: true,
  reconnectionDelay: 10,
  reconnectionDelayMax: 10,
  randomizationFactor: 0,
};

/** Drop the connection from the server's end: the client sees "transport close" and reconnects. */
async function dropAndReconnect(server: Tiny, client: ClientSocket, socket: ServerSocket) {
  const next = nextEvent<[ServerSocket]>(server.io, 'connection');
  const reconnected = nextEvent(client, 'connect');
  socket.conn.close();
  const [[nextSocket]] = await Promise.all([next, reconnected]);
  return nextSocket;
}

describe('what survives the trip', () => {
  it('turns undefined and functions in the middle of the arguments into null, keeping every position', async () => {
    const server = await tinyServer();
    const { client, socket } = await pair(server);
    const received = nextEvent(socket, 'probe');
    client.emit('probe', 'first', undefined, () => {}, 'last');
    expect(await received).toStrictEqual(['first', null, null, 'last']);
  });

  it('drops object properties whose value is undefined or a function', async () => {
    const server = await tinyServer();
    const { client, socket } = await pair(server);
    const received = nextEvent(socket, 'probe');
    client.emit('probe', { kept: 1, gone: undefined, method() {}, list: [undefined] });
    expect(await received).toStrictEqual([{ kept: 1, list: [null] }]);
  });

  it('sends a Date as its ISO string, and NaN, Map and Set as JSON does: null, {}, {}', async () => {
    const server = await tinyServer();
    const { client, socket } = await pair(server);
    const received = nextEvent(socket, 'probe');
    client.emit('probe', new Date(0), Number.NaN, new Map([['a', 1]]), new Set([1]));
    expect(await received).toStrictEqual(['1970-01-01T00:00:00.000Z', null, {}, {}]);
  });

  it('sends binary as a binary frame beside the JSON, not as a JSON copy of the bytes', async () => {
    const server = await tinyServer();
    const { client, socket } = await pair(server, { transport: 'websocket' });
    const frames: unknown[] = [];
    client.io.engine.on('packetCreate', (packet) => frames.push(packet.data));
    const received = nextEvent(socket, 'probe');
    client.emit('probe', 'label', Uint8Array.from([1, 2, 3, 4]));

    const [label, bytes] = await received;
    expect(label).toBe('label');
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect([...(bytes as Buffer)]).toEqual([1, 2, 3, 4]);
    // A BINARY_EVENT (5) with one attachment (1-): the JSON holds a placeholder
    // where the bytes were, and the bytes follow as a frame of their own.
    expect(frames).toEqual([
      '51-["probe","label",{"_placeholder":true,"num":0}]',
      Uint8Array.from([1, 2, 3, 4]),
    ]);
    expect(JSON.stringify(Uint8Array.from([1, 2]))).toBe('{"0":1,"1":2}'); // what a JSON copy would be
  });
});

describe('acknowledgements', () => {
  it('call the sender back with what the receiver passes to its callback', async () => {
    const server = await tinyServer((socket) => {
      socket.on('double', (n: number, callback: (result: number) => void) => callback(n * 2));
    });
    const { client } = await pair(server);
    const answer = await new Promise((resolve) => client.emit('double', 21, resolve));
    expect(answer).toBe(42);
  });

  it('work from the server to the client too: the server asks, the client answers', async () => {
    const server = await tinyServer();
    const serverSide = nextEvent<[ServerSocket]>(server.io, 'connection');
    const client = createClient(server);
    client.on('double', (n: number, callback: (result: number) => void) => callback(n * 2));
    const [socket] = await serverSide;
    expect(await socket.timeout(1000).emitWithAck('double', 4)).toBe(8);
  });

  it('make a pending emitWithAck() on the client reject when the connection closes', async () => {
    const server = await tinyServer((socket) => {
      socket.on('ignored', () => {});
    });
    const { client, socket } = await pair(server);
    const received = nextEvent(socket, 'ignored');
    const asked = client.emitWithAck('ignored');
    await received;
    socket.disconnect();
    await expect(asked).rejects.toThrow('socket has been disconnected');
  });

  it('make timeout(ms).emitWithAck() reject when the receiver never calls back', async () => {
    const server = await tinyServer((socket) => {
      socket.on('ignored', () => {}); // receives the callback, never calls it
    });
    const { client, socket } = await pair(server);
    const received = nextEvent(socket, 'ignored');
    const asked = client.timeout(50).emitWithAck('ignored', 'anyone?');
    await received; // it arrived: the silence is the receiver's choice
    await expect(asked).rejects.toThrow('operation has timed out');
  });
});

describe('one acknowledged emit on the wire', () => {
  it('is an EVENT packet carrying an ack id, answered by an ACK packet with the same id', async () => {
    const server = await tinyServer((socket) => {
      socket.on('sum', (numbers: number[], callback: (result: { sum: number }) => void) => {
        callback({ sum: numbers.reduce((total, n) => total + n, 0) });
      });
    });
    const { client } = await pair(server, { transport: 'websocket' });
    const wire: string[] = [];
    client.io.engine.on('packetCreate', ({ type, data }) => {
      if (type === 'message') wire.push(`→ ${data}`);
    });
    client.io.engine.on('packet', ({ type, data }) => {
      if (type === 'message') wire.push(`← ${data}`);
    });
    expect(await client.timeout(1000).emitWithAck('sum', [1, 2, 3.5])).toEqual({ sum: 6.5 });
    // 2 = EVENT, 3 = ACK; the 0 after each is the ack id, the first this client used.
    expect(wire).toEqual(['→ 20["sum",[1,2,3.5]]', '← 30[{"sum":6.5}]']);
  });
});

describe('emits while the client is not connected', () => {
  it('are buffered and delivered, in order, once it connects', async () => {
    const server = await tinyServer();
    const serverSide = nextEvent<[ServerSocket]>(server.io, 'connection');
    const client = createClient(server, { autoConnect: false });
    client.emit('note', 1);
    client.emit('note', 2);
    expect(client.connected).toBe(false);
    expect(client.sendBuffer).toHaveLength(2);

    const notes: unknown[] = [];
    server.io.on('connection', (socket) => socket.on('note', (n) => notes.push(n)));
    client.connect();
    await serverSide;
    await expect.poll(() => notes, often).toEqual([1, 2]);
  });

  it('are buffered while the client reconnects, and delivered on the new connection', async () => {
    const notes: unknown[] = [];
    const server = await tinyServer((socket) => socket.on('note', (n) => notes.push(n)));
    const { client, socket } = await pair(server, reconnectFast);
    const next = nextEvent<[ServerSocket]>(server.io, 'connection');
    const reconnected = nextEvent(client, 'connect');

    const dropped = nextEvent<[string]>(client, 'disconnect');
    socket.conn.close();
    expect((await dropped)[0]).toBe('transport close');
    client.emit('note', 'written while offline');
    await Promise.all([next, reconnected]);
    await expect.poll(() => notes, often).toEqual(['written while offline']);
  });
});

describe('socket.volatile.emit', () => {
  it('is dropped while the client is not connected, where a plain emit is buffered', async () => {
    const notes: unknown[] = [];
    const server = await tinyServer((socket) => socket.on('note', (n) => notes.push(n)));
    const client = createClient(server, { autoConnect: false });
    client.volatile.emit('note', 'volatile, before connect');
    client.emit('note', 'buffered, before connect');
    client.connect();
    await nextEvent(client, 'connect');
    client.emit('note', 'sent after connect');
    // Packets arrive in order: once the last one is in, anything dropped stays dropped.
    await expect
      .poll(() => notes, often)
      .toEqual(['buffered, before connect', 'sent after connect']);
  });

  it('is dropped even while connected, when the transport is still writing the previous packet', async () => {
    const notes: unknown[] = [];
    const server = await tinyServer((socket) => socket.on('note', (n) => notes.push(n)));
    const { client } = await pair(server, { transport: 'websocket' });
    client.emit('note', 'first');
    client.volatile.emit('note', 'volatile, right behind it');
    client.emit('note', 'last');
    await expect.poll(() => notes, often).toEqual(['first', 'last']);

    client.volatile.emit('note', 'volatile, on an idle transport');
    await expect
      .poll(() => notes, often)
      .toEqual(['first', 'last', 'volatile, on an idle transport']);
  });
});

describe('socket.id', () => {
  it('names one connection: the same on both ends, different for a second connection', async () => {
    const server = await tinyServer();
    const first = await pair(server, { auth: { user: 'ada' } });
    const second = await pair(server, { auth: { user: 'ada' } });
    expect(first.client.id).toBe(first.socket.id);
    expect(second.client.id).toBe(second.socket.id);
    expect(first.client.id).not.toBe(second.client.id); // same user, two ids
  });

  it('changes when the client reconnects, so it cannot identify a user', async () => {
    const server = await tinyServer();
    const { client, socket } = await pair(server, reconnectFast);
    const before = client.id;
    const next = await dropAndReconnect(server, client, socket);
    expect(client.id).toBe(next.id);
    expect(client.id).not.toBe(before);
    expect(next).not.toBe(socket); // a new server-side socket for the new connection
  });
});

interface Ends {
  server: Tiny;
  client: ClientSocket;
  socket: ServerSocket;
}

/** Each way a connection can end, by the words the test names use. */
const endings: Record<string, (ends: Ends) => unknown> = {
  'the client calls socket.disconnect()': ({ client }) => client.disconnect(),
  'the server calls socket.disconnect()': ({ socket }) => socket.disconnect(),
  'the server shuts down with io.close()': ({ server }) => server.io.close(),
  'the WebSocket connection drops': ({ socket }) => socket.request.socket.destroy(),
  'a long-polling connection drops': async ({ server, socket }) => {
    // Wait until the server holds the client's GET open, then cut every TCP connection.
    await vi.waitFor(() => expect(socket.conn.transport.writable).toBe(true), often);
    server.httpServer.closeAllConnections();
  },
};

describe('the disconnect event fires on both sides, with a reason', () => {
  it.each([
    {
      when: 'the client calls socket.disconnect()',
      client: 'io client disconnect',
      server: 'client namespace disconnect',
      retries: false,
    },
    {
      when: 'the server calls socket.disconnect()',
      client: 'io server disconnect',
      server: 'server namespace disconnect',
      retries: false,
    },
    {
      when: 'the server shuts down with io.close()',
      transport: 'websocket' as const,
      client: 'transport close',
      server: 'server shutting down',
      retries: true,
    },
    {
      when: 'the WebSocket connection drops',
      transport: 'websocket' as const,
      client: 'transport close',
      server: 'transport close',
      retries: true,
    },
    {
      when: 'a long-polling connection drops',
      transport: 'polling' as const,
      client: 'transport error',
      server: 'transport error',
      retries: true,
    },
  ])('when $when: $client on the client, $server on the server', async (scenario) => {
    const server = await tinyServer();
    const { client, socket } = await pair(server, { transport: scenario.transport });
    const onClient = nextEvent<[string]>(client, 'disconnect');
    const onServer = nextEvent<[string]>(socket, 'disconnect');
    await endings[scenario.when]?.({ server, client, socket });
    expect((await onClient)[0]).toBe(scenario.client);
    expect((await onServer)[0]).toBe(scenario.server);
    // socket.active: whether the client would reconnect on its own.
    expect(client.active).toBe(scenario.retries);
  });
});

describe('after the server calls socket.disconnect()', () => {
  it('the client stays disconnected until it calls socket.connect()', async () => {
    const server = await tinyServer();
    const { client, socket } = await pair(server, reconnectFast);
    const gone = nextEvent(client, 'disconnect');
    socket.disconnect();
    await gone;
    expect(client.active).toBe(false);
    await noEvent(client, 'connect', 30); // reconnectFast would have retried within 10 ms
    const back = nextEvent(client, 'connect');
    client.connect();
    await back;
    expect(client.connected).toBe(true);
  });
});

describe('listeners registered inside on("connect") (the duplicate-handler trap)', () => {
  it('are registered again on every reconnect, so one event runs the handler twice', async () => {
    const server = await tinyServer((socket) => socket.on('ping-me', () => socket.emit('news')));
    const client = createClient(server, reconnectFast);
    const serverSide = nextEvent<[ServerSocket]>(server.io, 'connection');
    let runs = 0;
    // #region trap
    client.on('connect', () => {
      client.on('news', () => runs++); // wrong: one more listener on every (re)connect
    });
    // #endregion trap
    const [socket] = await serverSide;
    await dropAndReconnect(server, client, socket);

    const delivered = nextEvent(client, 'news');
    client.emit('ping-me');
    await delivered;
    expect(client.listeners('news')).toHaveLength(2);
    expect(runs).toBe(2);
  });

  it('run once per event when registered once, outside connect, however often the client reconnects', async () => {
    const server = await tinyServer((socket) => socket.on('ping-me', () => socket.emit('news')));
    const client = createClient(server, reconnectFast);
    const serverSide = nextEvent<[ServerSocket]>(server.io, 'connection');
    let runs = 0;
    // #region right-place
    client.on('news', () => runs++); // once, beside the socket: it survives reconnects
    client.on('connect', () => {
      // only what must happen on each connection, such as re-joining or re-sending state
    });
    // #endregion right-place
    const [socket] = await serverSide;
    await dropAndReconnect(server, client, socket);

    const delivered = nextEvent(client, 'news');
    client.emit('ping-me');
    await delivered;
    expect(client.listeners('news')).toHaveLength(1);
    expect(runs).toBe(1);
  });
});

describe('socket.onAny on the client', () => {
  it('sees every incoming event, but not the reserved connect and disconnect; onAnyOutgoing sees what it sends', async () => {
    const server = await tinyServer((socket) => {
      socket.emit('first', 1);
      socket.send('second');
    });
    const client = createClient(server);
    const seen: unknown[][] = [];
    const sent: unknown[][] = [];
    client.onAny((event, ...args) => seen.push([event, ...args]));
    client.onAnyOutgoing((event, ...args) => sent.push([event, ...args]));
    await nextEvent(client, 'message');
    client.emit('back', 2);
    expect(sent).toEqual([['back', 2]]);
    client.disconnect();
    expect(seen).toEqual([
      ['first', 1],
      ['message', 'second'],
    ]);
  });
});
