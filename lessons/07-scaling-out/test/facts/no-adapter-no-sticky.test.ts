// What goes wrong on two processes without an adapter and without sticky
// sessions: each is a plain Socket.IO server, nothing shared.
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { kitFor, nextEvent, noEvent } from '@lessons/test-kit';
import { type ServerProcess, startServer, stopServer } from '@lessons/test-kit/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, lessonDir } from '../scaled.ts';

const file = fileURLToPath(new URL('./plain-server.ts', import.meta.url));
let a = { url: '', port: 0 } as ServerProcess;
let b = a;
let balancer: Server | undefined;
let balancerUrl = '';

/**
 * A TCP balancer that sends each new connection to the next process in turn,
 * as a load balancer without stickiness does. A WebSocket is one connection;
 * long-polling is a new request, often a new connection, every time.
 */
async function roundRobin(ports: number[]): Promise<{ server: Server; url: string }> {
  let turn = 0;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(ports[turn++ % ports.length] as number, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('error', () => {}).on('close', () => open.delete(socket));
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.on('close', () => {
    for (const socket of open) socket.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

beforeAll(async () => {
  [a, b] = await Promise.all([startServer(lessonDir, { file }), startServer(lessonDir, { file })]);
  ({ server: balancer, url: balancerUrl } = await roundRobin([a.port, b.port]));
});
afterAll(async () => {
  balancer?.close();
  await Promise.all([a, b].map((server) => (server.child ? stopServer(server) : undefined)));
});

describe('two processes without an adapter', () => {
  it('io.emit reaches only the clients of the process that emitted', async (context) => {
    const kit = kitFor(context);
    const onA = await kit.connect(a.url);
    const onB = await kit.connect(b.url);
    const heardOnA = nextEvent(onA, 'shouted');
    onA.emit('shout', 'hello?');
    expect(await heardOnA).toEqual(['hello?']);
    await noEvent(onB, 'shouted', 300);
  });

  it('fetchSockets() sees only the sockets of its own process', async (context) => {
    const kit = kitFor(context);
    const onA = await kit.connect(a.url);
    await kit.connect(b.url);
    await kit.connect(b.url);
    expect(await onA.emitWithAck('count')).toBe(1);
  });
});

describe('long-polling without sticky sessions', () => {
  it('a request to the process that did not open the session: 400 {"code":1,"message":"Session ID unknown"}', async () => {
    const handshake = await http(`${a.url}/socket.io/?EIO=4&transport=polling`);
    const sid = String(handshake.body).match(/"sid":"([\w-]+)"/)?.[1];
    expect(sid, 'the sid of the open packet').toBeDefined();
    const elsewhere = await http(`${b.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`);
    expect(elsewhere).toMatchObject({
      status: 400,
      body: { code: 1, message: 'Session ID unknown' },
    });
  });
});

describe('behind a balancer without stickiness', () => {
  it('a long-polling client fails: its requests alternate between the processes', async (context) => {
    const kit = kitFor(context);
    // agent: false, a new connection per request, as browsers often open.
    const error = await kit.connectError(balancerUrl, {
      transport: 'polling',
      agent: false as never,
    });
    // The GET or the POST after the handshake reaches the other process, which answers 400.
    expect(error.message).toMatch(/^xhr (poll|post) error$/);
  });

  it('a WebSocket-only client works: its one connection stays on one process', async (context) => {
    const kit = kitFor(context);
    const socket = await kit.connect(balancerUrl, { transport: 'websocket' });
    expect(await socket.emitWithAck('count')).toBeGreaterThanOrEqual(1);
  });
});
