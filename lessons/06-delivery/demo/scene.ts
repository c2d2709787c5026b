// A scripted scene: the lesson's seeded fault run, 300 messages from ana, ben
// and cat while their connections are cut, against four servers of its own, each
// adding a guarantee. It prints, per client, what was sent, received, received
// twice and lost. (It starts its servers in this process, so that it can cut
// each connection at an exact point: the last one is the reference's, even
// with --starter. The lesson's server beside it is yours to try in a browser.)
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverUrl, waitForServer } from '@lessons/course/demo';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { createApp } from '../src/app.ts';
import { chatClient } from '../src/client.ts';
import { allIds, PEERS, type Peer, type PeerName, plan, runFaults } from '../test/faults.ts';

const COUNT = 300;
const steps = plan(6, COUNT);
const folder = mkdtempSync(join(tmpdir(), 'lesson-6-demo-'));

/** A plain chat: every message to general, answered { ok }; with recovery if asked. */
function plainChat(recovery: boolean) {
  const httpServer = createServer();
  const server = new Server(httpServer, recovery ? { connectionStateRecovery: {} } : {});
  server.on('connection', (socket) => {
    socket.join('general');
    socket.on('chat', (draft: { id: string }, ack: (reply: object) => void) => {
      server.to('general').emit('chat', draft);
      ack({ ok: true });
    });
  });
  return { httpServer, io: server };
}

interface Scene {
  title: string;
  server: () => { httpServer: ReturnType<typeof createServer>; io: Server };
  socket: (url: string, name: PeerName, transport: string | undefined) => Socket;
}

const plain = (options: object) => (url: string, _name: PeerName, transport?: string) =>
  io(url, {
    forceNew: true,
    reconnection: false,
    ...(transport ? { transports: [transport] } : {}),
    ...options,
  });

const scenes: Scene[] = [
  {
    title: 'at most once: Socket.IO’s defaults',
    server: () => plainChat(false),
    socket: plain({}),
  },
  { title: '+ connection state recovery', server: () => plainChat(true), socket: plain({}) },
  {
    title: '+ client retries, without de-duplication',
    server: () => plainChat(true),
    socket: plain({ retries: 5, ackTimeout: 2000 }),
  },
  {
    title: 'every guarantee: the lesson’s server and chatClient()',
    server: () => createApp({ dbPath: join(folder, 'chat.db') }) as never,
    socket: (url, name, transport) =>
      chatClient(
        (options) =>
          io(url, {
            forceNew: true,
            reconnection: false,
            ...(transport ? { transports: [transport] } : {}),
            ...options,
          }) as never,
        `token-${name}`,
      ).socket as unknown as Socket,
  },
];

const url = await waitForServer(serverUrl());
const sent = allIds(steps);
console.log(
  `${COUNT} messages; cuts: ${steps.filter((step) => step.cut).length}, on both transports.`,
);
for (const scene of scenes) {
  const { httpServer, io: server } = scene.server();
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const local = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  const peers = {} as Record<PeerName, Peer>;
  for (const { name, transport } of PEERS) {
    const socket = scene.socket(local, name, transport);
    socket.on('fence', (ack: () => void) => ack());
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    await socket
      .timeout(1000)
      .emitWithAck('join', 'general')
      .catch(() => {}); // plain chats join by themselves
    peers[name] = {
      name,
      socket,
      send: (n) => socket.emitWithAck('chat', { room: 'general', id: `${name}-${n}`, text: 'hi' }),
    };
  }
  const received = await runFaults(server, peers, steps, (m) => (m as { id: string }).id);
  console.log(`\n-- ${scene.title}`);
  for (const { name } of PEERS) {
    const got = received[name];
    const unique = new Set(got);
    console.log(
      `   ${name}: sent ${sent[name].length}, received ${got.length}, ` +
        `duplicates ${got.length - unique.size}, lost ${COUNT - unique.size}`,
    );
  }
  for (const peer of Object.values(peers)) peer.socket.close();
  await server.close();
}
rmSync(folder, { recursive: true, force: true });
console.log(`\nDone. Open ${url} in two tabs, and press "Cut my connection" in one.`);
