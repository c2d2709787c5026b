// The lesson's guarantees under faults: 1,000 messages from 3 clients while seeded
// connections are cut, on both transports.
import { kitFor } from '@lessons/test-kit';
import type { Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { chatClient } from '#target/client.ts';
import type { ChatMessage, SendReply } from '#target/events.ts';
import { allIds, PEERS, type Peer, type PeerName, plan, runFaults } from './faults.ts';
import { connected, start, useDbFiles } from './helpers.ts';

const dbFile = useDbFiles();

describe('a seeded fault run with every guarantee on', () => {
  it('delivers each of 1,000 messages exactly once to each of 3 clients, in each sender’s order', async (context) => {
    const kit = kitFor(context);
    const lesson = await start(kit, dbFile());
    const steps = plan(6, 1000);
    const cuts = steps.flatMap(({ cut }) => (cut ? [cut] : []));
    // The seed cuts both transports, and loses answers as well as deliveries.
    expect(new Set(cuts.map(({ peer }) => peer)), 'the peers the seed cuts').toEqual(
      new Set(['ana', 'ben', 'cat']),
    );
    expect(
      cuts.some(({ kind }) => kind === 'after-send'),
      'a cut after a send',
    ).toBe(true);

    const peers = {} as Record<PeerName, Peer>;
    const answers: { id: string; reply: SendReply | string }[] = [];
    for (const { name, transport } of PEERS) {
      const chat = chatClient(
        (options) => kit.createClient(lesson, { ...(transport ? { transport } : {}), ...options }),
        `token-${name}`,
      );
      // The run's fence (see runFaults), which the lesson's events do not type.
      (chat.socket as Socket).on('fence', (ack: () => void) => ack());
      await connected(chat.socket);
      const joined = await chat.socket.timeout(1000).emitWithAck('join', 'general');
      expect(joined, `join("general") as ${name}`).toEqual({ rooms: ['general'] });
      peers[name] = {
        name,
        socket: chat.socket,
        send: (n) => {
          const id = `${name}-${n}`;
          const sent = chat.socket.emitWithAck('chat', {
            room: 'general',
            id,
            text: `message ${n} of ${name}`,
          }) as Promise<SendReply>;
          sent.then(
            (reply) => answers.push({ id, reply }),
            (error: Error) => answers.push({ id, reply: `rejected: ${error.message}` }),
          );
          return sent;
        },
      };
    }

    const received = await runFaults(lesson.io, peers, steps, (m) => (m as ChatMessage).id);
    const sent = allIds(steps);
    // Every chat answered, a resend of one the server already had included: { offset, duplicate }.
    expect(answers.length, 'the chats answered or rejected').toBe(1000);
    expect(
      answers
        .filter(({ reply }) => typeof reply === 'string' || 'error' in reply)
        .map(({ id, reply }) => `${id}: ${JSON.stringify(reply)}`),
      'the chats answered with an error, or never answered',
    ).toEqual([]);
    const everything = Object.values(sent).flat().sort();
    for (const { name } of PEERS) {
      const got = received[name];
      const twice = got.filter((id, at) => got.indexOf(id) !== at);
      const missing = everything.filter((id) => !got.includes(id));
      expect({ twice, missing }, `${name}: messages received twice, and never`).toEqual({
        twice: [],
        missing: [],
      });
      for (const { name: sender } of PEERS) {
        const order = got.filter((id) => id.startsWith(`${sender}-`));
        expect(order, `${name}: ${sender}'s messages, in the order received`).toEqual(sent[sender]);
      }
    }
    // Under 3 s on an idle machine; a busy one (a class graded at once) may take longer.
  }, 15_000);
});
