// Each test owns its server, its database file and its clients, so the tests of a block run
// side by side.
import { createServer } from 'node:http';
import { DEFAULT_TIMEOUT_MS, type Kit, kitFor } from '@lessons/test-kit';
import express from 'express';
import { Server } from 'socket.io';
import { describe, expect, it, type TestContext, vi } from 'vitest';
import { chatClient } from '#target/client.ts';
import {
  client,
  connected,
  cut,
  inbox,
  member,
  reconnect,
  say,
  serverSide,
  start,
  texts,
  useDbFiles,
} from './helpers.ts';

const dbFile = useDbFiles();
const ask = DEFAULT_TIMEOUT_MS;

describe.concurrent('recovery: connectionStateRecovery', () => {
  it('gives a client back within maxDisconnectionDuration its socket.id, its rooms and the chat it missed', async (context) => {
    const kit = kitFor(context);
    const lesson = await start(kit, dbFile());
    const ana = await member(kit, lesson, 'ana', ['general', 'kitchen']);
    const ben = await member(kit, lesson, 'ben', ['general']);
    const anaInbox = inbox(ana.socket);
    await say(ben, { room: 'general', id: 'b1', text: 'before' });
    await anaInbox.until(1, 'ana before the cut');
    const id = ana.socket.id;
    await cut(lesson, ana.socket);
    await say(ben, { room: 'general', id: 'b2', text: 'while ana was away' });
    await reconnect(ana.socket);
    expect(ana.socket.recovered, 'socket.recovered on the client after a short cut').toBe(true);
    expect(ana.socket.id, 'the socket.id after the recovery').toBe(id);
    const server = serverSide(lesson, ana.socket);
    expect(server.recovered, 'socket.recovered on the server').toBe(true);
    expect([...server.rooms].sort(), 'the rooms of the recovered socket').toEqual(
      [id, 'general', 'kitchen'].sort(),
    );
    await anaInbox.until(2, 'ana after the recovery');
    expect(texts(anaInbox.messages), 'what ana received').toEqual(['before', 'while ana was away']);
  });

  it('runs the middlewares on a recovery too (skipMiddlewares: false): a token revoked meanwhile is refused', async (context) => {
    const kit = kitFor(context);
    const lesson = await start(kit, dbFile());
    const ana = await member(kit, lesson, 'ana');
    const ben = await member(kit, lesson, 'ben');
    await say(ben, { room: 'general', id: 'b1', text: 'so ana has an offset' });
    await cut(lesson, ana.socket);
    lesson.users.delete('token-ana');
    ana.socket.connect();
    const [error] = await new Promise<[Error]>((resolve) =>
      ana.socket.once('connect_error', (...args: [Error]) => resolve(args)),
    );
    expect(error.message, 'the connect_error of a recovery with a revoked token').toBe(
      'unauthorized',
    );
  });
});

// Not concurrent: these tests move the clock (Date only) of the whole file.
describe('recovery: how long it lasts (maxDisconnectionDuration)', () => {
  /**
   * Ana and Ben on a lesson with recoveryMs 5000, Ana with an offset; cut Ana, move the
   * clock `awayMs` on instead of waiting, and bring her back. Returns Ana, and her socket
   * id before the cut.
   */
  async function backAfter(context: TestContext, awayMs: number) {
    const kit = kitFor(context);
    const lesson = await start(kit, dbFile(), { recoveryMs: 5_000 });
    const ana = await member(kit, lesson, 'ana');
    const ben = await member(kit, lesson, 'ben');
    await say(ben, { room: 'general', id: 'b1', text: 'hello' });
    const id = ana.socket.id;
    await cut(lesson, ana.socket);
    vi.useFakeTimers({ toFake: ['Date'] });
    context.onTestFinished(() => {
      vi.useRealTimers();
    });
    vi.setSystemTime(Date.now() + awayMs);
    await reconnect(ana.socket);
    return { ana, id };
  }

  it('gives a client away longer than recoveryMs a new socket.id and no recovered state', async (context) => {
    const { ana, id } = await backAfter(context, 6_000);
    expect(ana.socket.recovered, 'socket.recovered after 6 s away, with recoveryMs 5000').toBe(
      false,
    );
    expect(ana.socket.id, 'the socket.id after the session expired').not.toBe(id);
  });

  it('recovers a client within recoveryMs when it is set', async (context) => {
    const { ana } = await backAfter(context, 4_000);
    expect(ana.socket.recovered, 'socket.recovered after 4 s away, with recoveryMs 5000').toBe(
      true,
    );
  });
});

/**
 * A bare Socket.IO server that records every chat it receives and each
 * connection's auth, and answers a chat only from `answerFrom` tries on: it
 * closes the connection on each earlier one, as a network failure would.
 */
function probe(answerFrom = 1) {
  const lesson = { app: express(), httpServer: createServer(), io: undefined as unknown as Server };
  lesson.io = new Server(lesson.httpServer);
  const received: unknown[] = [];
  const auths: unknown[] = [];
  lesson.io.on('connection', (socket) => {
    auths.push(socket.handshake.auth);
    socket.on('chat', (draft, ack) => {
      received.push(draft);
      if (received.length < answerFrom) socket.conn.close();
      else ack({ offset: received.length, duplicate: false });
    });
  });
  return Object.assign(lesson, { received, auths });
}

/** The learner's chatClient(), through the kit. */
const learnerClient = (kit: Kit, target: { url: string }) =>
  chatClient(
    (options) => kit.createClient(target, { transport: 'websocket', ...options }),
    'token-ana',
  );

describe.concurrent('client: retries, ackTimeout and the offset in auth', () => {
  it('resends a chat whose acknowledgement was lost, with the same id, and resolves with the answer', async (context) => {
    const kit = kitFor(context);
    const server = await kit.startLesson(() => probe(2));
    const ana = learnerClient(kit, server);
    await connected(ana.socket);
    const draft = { room: 'general', id: 'a1', text: 'hello' };
    const reply = ana.socket.emitWithAck('chat', draft);
    await new Promise((resolve) => ana.socket.once('disconnect', resolve));
    await reconnect(ana.socket);
    expect(await reply, 'the answer to the chat sent once, lost, and resent').toEqual({
      offset: 2,
      duplicate: false,
    });
    expect(server.received, 'the chats the server received: the same draft twice').toEqual([
      draft,
      draft,
    ]);
  });

  it('gives up after 5 retries (6 tries) and rejects, so the caller can say it was not sent', async (context) => {
    const kit = kitFor(context);
    const server = await kit.startLesson(() => probe(Number.POSITIVE_INFINITY));
    const ana = learnerClient(kit, server);
    await connected(ana.socket);
    const reply = ana.socket.emitWithAck('chat', { room: 'general', id: 'a1', text: 'hello' });
    const outcome = reply.then(
      (answer) => ({ answer }),
      (error: Error) => ({ error: error.message }),
    );
    for (let tries = 1; tries <= 6; tries++) {
      await new Promise((resolve) => ana.socket.once('disconnect', resolve));
      if (tries < 6) await reconnect(ana.socket);
    }
    expect(await outcome, 'how the chat ended after 6 tries, each cut').toEqual({
      error: 'socket has been disconnected',
    });
    expect(server.received.length, 'the tries that reached the server').toBe(6);
  });

  it('sends its token and the offset of the last chat it received in auth, at every connection', async (context) => {
    const kit = kitFor(context);
    const server = await kit.startLesson(() => probe());
    const ana = learnerClient(kit, server);
    await connected(ana.socket);
    const received = inbox(ana.socket);
    serverSide(server, ana.socket).emit('chat', {
      offset: 41,
      room: 'general',
      from: 'ben',
      id: 'b1',
      text: 'hi',
    });
    await received.until(1, 'ana');
    const listeners = ana.socket.listeners('chat').length;
    await cut(server, ana.socket);
    await reconnect(ana.socket);
    expect(server.auths, 'auth at the first connection, then at the reconnection').toEqual([
      { token: 'token-ana', serverOffset: 0 },
      { token: 'token-ana', serverOffset: 41 },
    ]);
    expect(ana.offset, 'the offset the client keeps').toBe(41);
    expect(
      ana.socket.listeners('chat').length,
      "the socket's chat listeners after a reconnection: as many as before (register yours once, not on 'connect')",
    ).toBe(listeners);
  });
});

describe.concurrent('dedup: each message stored and sent once', () => {
  it('stores a chat, sends it to the room with its offset and sender, and answers { offset, duplicate: false }', async (context) => {
    const kit = kitFor(context);
    const lesson = await start(kit, dbFile());
    const ana = await member(kit, lesson, 'ana');
    const ben = await member(kit, lesson, 'ben');
    const benInbox = inbox(ben.socket);
    const reply = await say(ana, { room: 'general', id: 'a1', text: 'hello' });
    expect(reply, 'the answer to ana’s first chat').toEqual({ offset: 1, duplicate: false });
    await benInbox.until(1, 'ben');
    expect(benInbox.messages, 'what ben received').toEqual([
      { offset: 1, room: 'general', from: 'ana', id: 'a1', text: 'hello' },
    ]);
    const second = await say(ben, { room: 'general', id: 'b1', text: 'hi' });
    expect(second, 'the answer to the next chat: the next offset').toEqual({
      offset: 2,
      duplicate: false,
    });
  });

  it('answers a chat whose id the sender used before { offset, duplicate: true }, and sends nothing', async (context) => {
    const kit = kitFor(context);
    const lesson = await start(kit, dbFile());
    const ana = await member(kit, lesson, 'ana');
    const ben = await member(kit, lesson, 'ben');
    const benInbox = inbox(ben.socket);
    await say(ana, { room: 'general', id: 'a1', text: 'hello' });
    const again = await say(ana, { room: 'general', id: 'a1', text: 'hello' });
    expect(again, 'the answer to the same id a second time').toEqual({
      offset: 1,
      duplicate: true,
    });
    await say(ana, { room: 'general', id: 'a2', text: 'next' });
    await benInbox.until(2, 'ben');
    expect(texts(benInbox.messages), 'what ben received: each message once').toEqual([
      'hello',
      'next',
    ]);
  });

  it('keeps two users’ ids apart: the same id from another user is a new message', async (context) => {
    const kit = kitFor(context);
    const lesson = await start(kit, dbFile());
    const ana = await member(kit, lesson, 'ana');
    const ben = await member(kit, lesson, 'ben');
    await say(ana, { room: 'general', id: 'x', text: 'from ana' });
    const reply = await say(ben, { room: 'general', id: 'x', text: 'from ben' });
    expect(reply, 'ben’s chat with the id ana used').toEqual({ offset: 2, duplicate: false });
  });

  it('answers { error } for a draft of the wrong shape or a room the sender is not in, and stores nothing', async (context) => {
    const kit = kitFor(context);
    const lesson = await start(kit, dbFile());
    const ana = await member(kit, lesson, 'ana');
    const bad = [
      { room: 'attic', id: 'a1', text: 'not a member' },
      { room: 'general', id: '', text: 'empty id' },
      { room: 'general', id: 'x'.repeat(65), text: 'long id' },
      { room: 'general', id: { $gt: '' }, text: 'object id' },
      { room: 'general', id: 'a1', text: 'hi', offset: 1 },
      'just text',
    ];
    for (const draft of bad) {
      const reply = await ana.socket.timeout(ask).emitWithAck('chat', draft as never);
      expect(reply, `the answer to chat(${JSON.stringify(draft)})`).toEqual({
        error: expect.any(String),
      });
    }
    const good = await say(ana, { room: 'general', id: 'a1', text: 'ok' });
    expect(good, 'the first valid chat after them: offset 1').toEqual({
      offset: 1,
      duplicate: false,
    });
  });
});

describe.concurrent('history: the offset in auth', () => {
  it('sends a client that was away exactly the messages after its serverOffset, oldest first', async (context) => {
    const kit = kitFor(context);
    const lesson = await start(kit, dbFile());
    const ana = await member(kit, lesson, 'ana');
    const ben = await member(kit, lesson, 'ben');
    const first = inbox(ben.socket);
    await say(ana, { room: 'general', id: 'a1', text: 'one' });
    await first.until(1, 'ben');
    ben.socket.disconnect();
    await say(ana, { room: 'general', id: 'a2', text: 'two' });
    await say(ana, { room: 'general', id: 'a3', text: 'three' });
    // A new client of ben's (a new tab, no recovery) that had seen offset 1.
    const tab = client(kit, lesson, 'ben');
    tab.offset = 1;
    const later = inbox(tab.socket);
    await connected(tab.socket);
    await say(ana, { room: 'general', id: 'a4', text: 'four' });
    await later.until(3, 'ben’s new tab');
    expect(texts(later.messages), 'what ben’s new tab received, serverOffset 1').toEqual([
      'two',
      'three',
      'four',
    ]);
  });

  it('sends nothing from the history to a recovered socket: Socket.IO replayed what it missed', async (context) => {
    const kit = kitFor(context);
    const lesson = await start(kit, dbFile());
    const ana = await member(kit, lesson, 'ana');
    const ben = await member(kit, lesson, 'ben');
    const received = inbox(ben.socket);
    await say(ana, { room: 'general', id: 'a1', text: 'one' });
    await received.until(1, 'ben');
    await cut(lesson, ben.socket);
    await say(ana, { room: 'general', id: 'a2', text: 'two' });
    await reconnect(ben.socket);
    await say(ana, { room: 'general', id: 'a3', text: 'three' });
    await received.until(3, 'ben');
    expect(ben.socket.recovered, 'ben’s socket.recovered').toBe(true);
    expect(texts(received.messages), 'what ben received: each once').toEqual([
      'one',
      'two',
      'three',
    ]);
  });

  it('refuses a connection whose serverOffset is not a whole number of 0 or more', async (context) => {
    const kit = kitFor(context);
    const lesson = await start(kit, dbFile());
    for (const serverOffset of [-1, 1.5, '3', { $gt: 0 }, 1e300, null, [1]]) {
      const error = await kit.connectError(lesson, {
        transport: 'websocket',
        auth: { token: 'token-ana', serverOffset },
      });
      expect(
        error.message,
        `the connect_error for serverOffset ${JSON.stringify(serverOffset)}`,
      ).toBe('serverOffset must be a whole number, 0 or more');
    }
    const ana = await member(kit, lesson, 'ana');
    expect(ana.socket.connected, 'a client with a good offset after them').toBe(true);
  });

  it('sends only the messages of the user’s rooms, and none from before they joined', async (context) => {
    const kit = kitFor(context);
    const lesson = await start(kit, dbFile());
    const ana = await member(kit, lesson, 'ana', ['general', 'kitchen']);
    await say(ana, { room: 'kitchen', id: 'a1', text: 'before ben joined' });
    const ben = await member(kit, lesson, 'ben', ['general', 'kitchen']);
    ben.socket.disconnect();
    await say(ana, { room: 'kitchen', id: 'a3', text: 'kitchen' });
    const cat = await member(kit, lesson, 'cat', ['attic']);
    await say(cat, { room: 'attic', id: 'c1', text: 'attic, where ben is not' });
    const tab = client(kit, lesson, 'ben');
    const later = inbox(tab.socket);
    await connected(tab.socket);
    await say(ana, { room: 'general', id: 'a4', text: 'general' });
    await later.until(2, 'ben’s new tab, serverOffset 0');
    expect(texts(later.messages), 'what ben’s new tab received from offset 0').toEqual([
      'kitchen',
      'general',
    ]);
  });
});

describe.concurrent('rejoin: the user’s rooms, from the server', () => {
  it('answers join with every room the user has joined, sorted, and refuses a bad room name', async (context) => {
    const kit = kitFor(context);
    const lesson = await start(kit, dbFile());
    const ana = await member(kit, lesson, 'ana', ['kitchen']);
    const reply = await ana.socket.timeout(ask).emitWithAck('join', 'general');
    expect(reply, 'join("general") after join("kitchen")').toEqual({
      rooms: ['general', 'kitchen'],
    });
    for (const room of ['', 'Attic', 'a'.repeat(41), 'user:ben', 7]) {
      const refused = await ana.socket.timeout(ask).emitWithAck('join', room as string);
      expect(refused, `join(${JSON.stringify(room)})`).toEqual({ error: expect.any(String) });
    }
  });

  it('puts a new socket of the user (no recovery) back in every room the user joined', async (context) => {
    const kit = kitFor(context);
    const lesson = await start(kit, dbFile());
    const first = await member(kit, lesson, 'ana', ['general', 'kitchen']);
    first.socket.disconnect();
    const tab = client(kit, lesson, 'ana');
    await connected(tab.socket);
    const server = serverSide(lesson, tab.socket);
    expect(server.recovered, 'a new client is not a recovery').toBe(false);
    expect([...server.rooms].sort(), 'the rooms of ana’s new socket').toEqual(
      [tab.socket.id, 'general', 'kitchen'].sort(),
    );
  });

  it('puts a socket in its own user’s rooms only', async (context) => {
    const kit = kitFor(context);
    const lesson = await start(kit, dbFile());
    await member(kit, lesson, 'ana', ['kitchen']);
    const ben = await member(kit, lesson, 'ben', ['general']);
    ben.socket.disconnect();
    const tab = client(kit, lesson, 'ben', { query: { rooms: 'kitchen' } });
    await connected(tab.socket);
    const rooms = [...serverSide(lesson, tab.socket).rooms].sort();
    expect(rooms, 'the rooms of ben’s new socket').toEqual([tab.socket.id, 'general'].sort());
  });
});
