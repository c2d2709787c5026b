// What Socket.IO 4.8 itself does, proven with real clients against tiny servers
// built here. None of these tests runs the learner's code.
import { createServer } from 'node:http';
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Socket,
  connect as tcpConnect,
} from 'node:net';
import {
  type ConnectOptions,
  closeAll,
  createClient,
  nextEvent,
  noEvent,
  type StartedLesson,
  startLesson,
  type Transport,
} from '@lessons/test-kit';
import express from 'express';
import { Server, type ServerOptions, type Socket as ServerSocket } from 'socket.io';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** What closeAll() does not know about: the relays of the ping timeout tests. */
const relays: (() => void)[] = [];
afterEach(async () => {
  // First: a server that closes a WebSocket waits for the client's answer, which a cut relay drops.
  for (const close of relays.splice(0)) close();
  await closeAll();
});

/** Poll every 5 ms: what a test waits for here takes a few milliseconds on localhost. */
const often = { interval: 5 };

type Tiny = StartedLesson<{
  app: express.Express;
  httpServer: ReturnType<typeof createServer>;
  io: Server;
}>;

/**
 * A bare Express + Socket.IO server; `onConnection` gives each socket its
 * handlers, `options` are Socket.IO's (`pingInterval`, `allowRequest`, …).
 */
function tinyServer(
  onConnection: (socket: ServerSocket) => void = () => {},
  options: Partial<ServerOptions> = {},
): Promise<Tiny> {
  return startLesson(() => {
    const app = express();
    const httpServer = createServer(app);
    const io = new Server(httpServer, options);
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

/** The ways a client can connect, by name: the facts about volatile hold on each. */
const transports: [string, Transport | undefined][] = [
  ['WebSocket', 'websocket'],
  ['long-polling', 'polling'],
  ['the default transports', undefined], // long-polling, then the upgrade to WebSocket
];

/**
 * Connect for the volatile tests: reconnecting fast, and on the default
 * transport only once the upgrade to WebSocket is done, so that the
 * connection is idle when a test cuts it.
 */
async function idlePair(server: Tiny, transport: Transport | undefined) {
  const ends = await pair(server, { ...reconnectFast, transport });
  if (!transport && ends.client.io.engine.transport.name !== 'websocket') {
    await nextEvent(ends.client.io.engine, 'upgrade');
  }
  return ends;
}

/** A server that records every `note`, in the order it arrives. */
async function noteTaker(options: Partial<ServerOptions> = {}) {
  const notes: unknown[] = [];
  const server = await tinyServer((socket) => socket.on('note', (n) => notes.push(n)), options);
  return { server, notes };
}

// The client drops a volatile emit when its current Engine.IO transport is not
// writable at that moment (socket.io-client checks
// socket.io.engine.transport.writable); whether it is connected does not
// matter. Packets arrive in order: once a plain emit sent after a volatile one
// is in, a volatile one that is missing stays missing.
describe('socket.volatile.emit', () => {
  it('is dropped before the first connection opens, where a plain emit is buffered', async () => {
    const { server, notes } = await noteTaker();
    const client = createClient(server, { autoConnect: false });
    client.volatile.emit('note', 'volatile, before connect()');
    client.emit('note', 'buffered, before connect()');
    client.connect(); // the transport is opening, not open
    client.volatile.emit('note', 'volatile, while connecting');
    await nextEvent(client, 'connect');
    client.emit('note', 'sent after connect');
    await expect
      .poll(() => notes, often)
      .toEqual(['buffered, before connect()', 'sent after connect']);
  });

  it('is dropped even while connected, when the transport is still writing the previous packet', async () => {
    const { server, notes } = await noteTaker();
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

  it.for(transports)(
    'is buffered after the connection drops (transport close), and delivered after the reconnection, over %s',
    async ([, transport]) => {
      const { server, notes } = await noteTaker();
      const { client, socket } = await idlePair(server, transport);
      const dropped = nextEvent<[string]>(client, 'disconnect');
      socket.conn.close();
      expect((await dropped)[0]).toBe('transport close');
      // Disconnected, reconnecting, and the closed transport still counts as writable.
      expect([client.connected, client.active]).toEqual([false, true]);
      expect(client.io.engine.transport.writable).toBe(true);
      client.volatile.emit('note', 'volatile, while disconnected');
      // #region volatile-guard
      if (client.connected) client.volatile.emit('note', 'fresh');
      // #endregion volatile-guard
      client.emit('note', 'plain, while disconnected');
      await nextEvent(client, 'connect');
      await expect
        .poll(() => notes, often)
        .toEqual(['volatile, while disconnected', 'plain, while disconnected']);
    },
  );

  it.for(transports)(
    'is dropped while a reconnection attempt opens its new transport, over %s',
    async ([, transport]) => {
      // Hold every handshake after the first, until the test lets it through.
      let handshakes = 0;
      let letThrough = () => {};
      let attemptArrived = () => {};
      const attempted = new Promise<void>((resolve) => {
        attemptArrived = resolve;
      });
      const { server, notes } = await noteTaker({
        allowRequest: (_request, callback) => {
          if (handshakes++ === 0) return callback(null, true);
          letThrough = () => callback(null, true);
          attemptArrived();
        },
      });
      const { client, socket } = await idlePair(server, transport);
      const dropped = nextEvent(client, 'disconnect');
      socket.conn.close();
      await dropped;
      await attempted; // the client's new engine is waiting for its handshake
      expect(client.io.engine.transport.writable).toBe(false);
      client.volatile.emit('note', 'volatile, during the attempt');
      client.emit('note', 'plain, during the attempt');
      letThrough();
      await nextEvent(client, 'connect');
      await expect.poll(() => notes, often).toEqual(['plain, during the attempt']);
    },
  );

  it('is dropped after a long-polling connection fails (transport error): the client tried to write its close packet on it', async () => {
    const { server, notes } = await noteTaker();
    const { client, socket } = await pair(server, { ...reconnectFast, transport: 'polling' });
    await vi.waitFor(() => expect(socket.conn.transport.writable).toBe(true), often);
    const dropped = nextEvent<[string]>(client, 'disconnect');
    server.httpServer.closeAllConnections(); // cut the TCP connections under the session
    expect((await dropped)[0]).toBe('transport error');
    client.volatile.emit('note', 'volatile, after the error');
    client.emit('note', 'plain, after the error');
    await nextEvent(client, 'connect');
    await expect.poll(() => notes, often).toEqual(['plain, after the error']);
  });

  it.for(transports.slice(0, 2))(
    'is dropped in the tick of socket.disconnect(), which writes the DISCONNECT packet, then buffered until connect(), over %s',
    async ([, transport]) => {
      const { server, notes } = await noteTaker();
      const { client } = await pair(server, { transport });
      client.disconnect();
      client.volatile.emit('note', 'volatile, same tick');
      await vi.waitFor(() => expect(client.io.engine.transport.writable).toBe(true), often);
      client.volatile.emit('note', 'volatile, once the DISCONNECT is written');
      client.emit('note', 'plain, while disconnected');
      client.connect();
      await nextEvent(client, 'connect');
      await expect
        .poll(() => notes, often)
        .toEqual(['volatile, once the DISCONNECT is written', 'plain, while disconnected']);
    },
  );
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

  it('changes when the client reconnects, by default, so it cannot identify a user', async () => {
    const server = await tinyServer();
    const { client, socket } = await pair(server, reconnectFast);
    const before = client.id;
    const next = await dropAndReconnect(server, client, socket);
    expect(client.id).toBe(next.id);
    expect(client.id).not.toBe(before);
    expect(next).not.toBe(socket); // a new server-side socket for the new connection
    expect(next.recovered).toBe(false);
  });

  /**
   * A server with connectionStateRecovery whose sockets join `lobby` and, with
   * `greet`, receive one event: the client then knows the offset of the last
   * packet it got, which it sends back when it reconnects.
   */
  async function recoveringPair(
    greet: boolean,
    recovery: ServerOptions['connectionStateRecovery'] = {},
    delays: ConnectOptions = {},
  ) {
    const server = await tinyServer(
      (socket) => {
        if (socket.recovered) return; // its rooms came back with it
        socket.join('lobby');
        if (greet) socket.emit('hello');
      },
      { connectionStateRecovery: recovery },
    );
    const client = createClient(server, { ...reconnectFast, ...delays, transport: 'websocket' });
    const greeted = greet ? nextEvent(client, 'hello') : nextEvent(client, 'connect');
    const [[socket]] = await Promise.all([
      nextEvent<[ServerSocket]>(server.io, 'connection'),
      greeted,
    ]);
    return { server, client, socket };
  }

  it('is kept, with the rooms, after a dropped connection when the server enables connectionStateRecovery', async () => {
    const { server, client, socket } = await recoveringPair(true);
    const before = client.id;
    const next = await dropAndReconnect(server, client, socket);
    expect(client.id).toBe(before);
    expect(next.id).toBe(before);
    expect([client.recovered, next.recovered]).toEqual([true, true]);
    expect([...next.rooms]).toEqual([before, 'lobby']);
    // For a drop of up to 2 minutes, unless the option says otherwise.
    expect(server.io._opts.connectionStateRecovery?.maxDisconnectionDuration).toBe(120_000);
    // Another tab is another client: it never gets that id.
    const second = await pair(server);
    expect(second.client.id).not.toBe(before);
  });

  it('is new even with connectionStateRecovery after a drop longer than maxDisconnectionDuration', async () => {
    const { server, client, socket } = await recoveringPair(
      true,
      { maxDisconnectionDuration: 20 },
      { reconnectionDelay: 100, reconnectionDelayMax: 100 }, // comes back after 100 ms
    );
    const before = client.id;
    const next = await dropAndReconnect(server, client, socket);
    expect(client.id).not.toBe(before);
    expect([client.recovered, next.recovered]).toEqual([false, false]);
  });

  it('is new even with connectionStateRecovery when the client had received no event: recovery needs the offset of the last one', async () => {
    const { server, client, socket } = await recoveringPair(false);
    const before = client.id;
    const next = await dropAndReconnect(server, client, socket);
    expect(client.id).not.toBe(before);
    expect([client.recovered, next.recovered]).toEqual([false, false]);
  });

  it('is new even with connectionStateRecovery after the client calls socket.disconnect()', async () => {
    const { server, client } = await recoveringPair(true);
    const before = client.id;
    client.disconnect();
    const next = nextEvent<[ServerSocket]>(server.io, 'connection');
    client.connect();
    await Promise.all([next, nextEvent(client, 'connect')]);
    expect(client.id).not.toBe(before);
    expect(client.recovered).toBe(false);
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

/**
 * A TCP relay between clients and `server` whose two directions a test can
 * cut, as a network that stops carrying packets does: the bytes are dropped,
 * and neither end is told.
 */
async function relayTo(server: Tiny) {
  const cut = { toServer: false, toClient: false };
  const sockets = new Set<Socket>();
  const relay = createTcpServer((client) => {
    const upstream = tcpConnect(server.port, '127.0.0.1');
    for (const end of [client, upstream]) {
      sockets.add(end);
      end.on('error', () => {}); // afterEach destroys both ends
    }
    client.on('data', (bytes) => {
      if (!cut.toServer) upstream.write(bytes);
    });
    upstream.on('data', (bytes) => {
      if (!cut.toClient) client.write(bytes);
    });
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  relays.push(() => {
    for (const end of sockets) end.destroy();
    relay.close();
  });
  const { port } = relay.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, cut };
}

/** Connect a client through a relay to a server with short heartbeats. */
async function pairThroughRelay(heartbeat: Pick<ServerOptions, 'pingInterval' | 'pingTimeout'>) {
  const server = await tinyServer(() => {}, heartbeat);
  const relay = await relayTo(server);
  const serverSide = nextEvent<[ServerSocket]>(server.io, 'connection');
  const client = createClient(relay.url, { transport: 'websocket' });
  const [[socket]] = await Promise.all([serverSide, nextEvent(client, 'connect')]);
  return { client, socket, cut: relay.cut };
}

// The server pings every pingInterval and waits pingTimeout for the answer;
// the client expects a ping within pingInterval + pingTimeout of the last one.
describe('when the connection goes silent, the side that stops hearing the other says "ping timeout"', () => {
  it('the client\'s answers stop reaching the server: "ping timeout" on the server, then "transport close" on the client, which receives its close', async () => {
    const { client, socket, cut } = await pairThroughRelay({ pingInterval: 200, pingTimeout: 50 });
    const onClient = nextEvent<[string]>(client, 'disconnect');
    const onServer = nextEvent<[string]>(socket, 'disconnect');
    cut.toServer = true;
    expect((await onServer)[0]).toBe('ping timeout');
    expect((await onClient)[0]).toBe('transport close');
    expect(client.active).toBe(true); // it reconnects by itself
  });

  it('nothing gets through either way: "ping timeout" on both sides, the client\'s after pingInterval + pingTimeout without a ping', async () => {
    const heartbeat = { pingInterval: 50, pingTimeout: 50 };
    const { client, socket, cut } = await pairThroughRelay(heartbeat);
    const onClient = nextEvent<[string]>(client, 'disconnect');
    const onServer = nextEvent<[string]>(socket, 'disconnect');
    await nextEvent(client.io, 'ping');
    const lastPing = performance.now(); // the client has just reset its timer
    cut.toServer = true;
    cut.toClient = true;
    expect((await onClient)[0]).toBe('ping timeout');
    // Timers fire no earlier than asked, give or take a millisecond of rounding.
    expect(performance.now() - lastPing).toBeGreaterThanOrEqual(99);
    expect((await onServer)[0]).toBe('ping timeout');
    expect(client.active).toBe(true);
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
