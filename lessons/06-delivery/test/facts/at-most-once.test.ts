// Socket.IO's defaults under the same faults as the lesson's fault test: a plain chat
// server, plain clients, no recovery, no retries, no history.
import { createServer } from 'node:http';
import { kitFor } from '@lessons/test-kit';
import express from 'express';
import { Server } from 'socket.io';
import { describe, expect, it } from 'vitest';
import { atMostOnce, PEERS, type Peer, type PeerName, plan, runFaults } from '../faults.ts';

/** A chat that sends each message to the room, the sender included, and answers { ok }. */
function plainChat() {
  const httpServer = createServer();
  const io = new Server(httpServer);
  io.on('connection', (socket) => {
    socket.join('general');
    socket.on('chat', (draft: { id: string }, ack: (reply: { ok: true }) => void) => {
      io.to('general').emit('chat', draft);
      ack({ ok: true });
    });
  });
  return { app: express(), httpServer, io };
}

describe('at most once: Socket.IO by default', () => {
  it('loses exactly the messages sent to a client while its connection is down, for a seed', async (context) => {
    const kit = kitFor(context);
    const lesson = await kit.startLesson(plainChat);
    const steps = plan(6, 1000);
    const peers = {} as Record<PeerName, Peer>;
    for (const { name, transport } of PEERS) {
      const socket = await kit.connect(lesson, transport ? { transport } : {});
      socket.on('fence', (ack: () => void) => ack());
      peers[name] = {
        name,
        socket,
        send: (n) => socket.emitWithAck('chat', { room: 'general', id: `${name}-${n}`, text: '' }),
      };
    }
    const received = await runFaults(lesson.io, peers, steps, (m) => (m as { id: string }).id);
    const expected = atMostOnce(steps);
    // Messages between two cuts go out side by side, so compare each sender's messages.
    const bySender = (ids: string[]) =>
      Object.fromEntries(
        PEERS.map(({ name }) => [name, ids.filter((id) => id.startsWith(`${name}-`))]),
      );
    for (const { name } of PEERS) {
      expect(bySender(received[name]), `what ${name} received, by sender`).toEqual(
        bySender(expected[name]),
      );
    }
    // The seed's losses, counted: every message is sent, and no client has them all.
    const lost = Object.fromEntries(PEERS.map(({ name }) => [name, 1000 - received[name].length]));
    expect(lost, 'the messages each client never received').toEqual({ ana: 67, ben: 133, cat: 82 });
  }, 15_000);
});
