import {
  closeAll,
  connect,
  DEFAULT_TIMEOUT_MS,
  hear,
  kitFor,
  nextEvent,
  startLesson,
} from '@lessons/test-kit';
import { afterEach, describe, expect, it, type TestContext } from 'vitest';
import { createApp } from '#target/app.ts';
import type { ClientToServerEvents, News, ServerToClientEvents } from '#target/events.ts';
import { type Client, deliveries, send, setScene } from './scene.ts';
import { DISCONNECTS, EMITS, PEOPLE, type Row, SENDER, SERVER_NEWS } from './who-receives.ts';

afterEach(closeAll);

// [call, reaches, row]: %s prints the strings as they are, where $call would quote them.
const cases = (rows: Row[]) => rows.map((row) => [row.call, row.reaches, row] as const);

const once = (receivers: readonly string[]) =>
  Object.fromEntries(PEOPLE.map((name) => [name, receivers.includes(name) ? 1 : 0]));

// The scene: ana in red, ben in red and blue, cat in blue, dan in no room (ROOMS).
// Each row sets a scene of its own, with a kit of its own, so the rows run side by side.
describe.concurrent('who receives what ana sends, in a scene of four clients and two rooms', () => {
  it.for(cases(EMITS))('%s reaches %s', async ([, , row], context) => {
    const kit = kitFor(context);
    const lesson = await kit.startLesson(createApp);
    const { clients, scene } = await setScene(lesson, kit);
    const received = await deliveries(lesson, clients, () => send(row, clients, scene));

    const counts = Object.fromEntries(PEOPLE.map((name) => [name, received[name].length]));
    expect(counts).toEqual(once(row.receivers));
    const expected =
      'shout' in row.via
        ? { from: SENDER, target: row.via.shout.target, text: 'hello' }
        : SERVER_NEWS;
    for (const name of row.receivers) expect(received[name]).toEqual([expected]);
  });
});

describe.concurrent('who is disconnected, in the same scene', () => {
  it.for(cases(DISCONNECTS))('%s ends %s', async ([, , row], context) => {
    const kit = kitFor(context);
    const lesson = await kit.startLesson(createApp);
    const { clients, scene } = await setScene(lesson, kit);
    const ended = row.receivers.map((name) => nextEvent<[string]>(clients[name], 'disconnect'));

    await send(row, clients, scene);
    const reasons = (await Promise.all(ended)).map(([reason]) => reason);
    expect(reasons).toEqual(row.receivers.map(() => 'io server disconnect'));

    // The others are still connected: a fence sent now reaches each of them.
    const others = PEOPLE.filter((name) => !row.receivers.includes(name));
    await deliveries(lesson, clients, () => {}, others);
    expect(others.filter((name) => !clients[name].connected)).toEqual([]);
    expect(lesson.io.of('/').sockets.size).toBe(others.length);
  });
});

describe('shout', () => {
  it('answers { error } for an unknown target, and sends nothing', async () => {
    const lesson = await startLesson(createApp);
    const { clients } = await setScene(lesson, { connect });
    const received = await deliveries(lesson, clients, async () => {
      const reply = await clients.ana
        .timeout(DEFAULT_TIMEOUT_MS)
        .emitWithAck('shout', { target: 'everyone' as 'all', text: 'hello' });
      expect(reply).toEqual({ error: 'unknown target "everyone"' });
    });
    expect(Object.values(received).flat()).toEqual([]);
  });

  it('answers { error } for a room target without a room, and sends nothing', async () => {
    const lesson = await startLesson(createApp);
    const { clients } = await setScene(lesson, { connect });
    const received = await deliveries(lesson, clients, async () => {
      for (const target of ['room', 'room-others', 'except-room'] as const) {
        const reply = await clients.ana
          .timeout(DEFAULT_TIMEOUT_MS)
          .emitWithAck('shout', { target, text: 'hello' });
        expect(reply).toEqual({ error: `"${target}" needs a room` });
      }
    });
    expect(Object.values(received).flat()).toEqual([]);
  });

  it('signs the news with the socket id when the handshake query has no name', async () => {
    const lesson = await startLesson(createApp);
    const client = await connect<ServerToClientEvents, ClientToServerEvents>(lesson);
    const news = nextEvent<[News]>(client, 'news');
    expect(
      await client.timeout(DEFAULT_TIMEOUT_MS).emitWithAck('shout', { target: 'self', text: 'hi' }),
    ).toEqual({ ok: true });
    expect(await news).toEqual([{ from: client.id, target: 'self', text: 'hi' }]);
  });
});

describe('a malformed message', () => {
  it('gets { error: "malformed message" }, or is dropped without an acknowledgement, and the server carries on', async () => {
    const lesson = await startLesson(createApp);
    const eve = await connect(lesson, { query: { name: 'eve' } });
    expect(await eve.timeout(DEFAULT_TIMEOUT_MS).emitWithAck('shout', null)).toEqual({
      error: 'malformed message',
    });
    eve.emit('join', 'attic'); // no acknowledgement: dropped
    expect(
      await eve
        .timeout(DEFAULT_TIMEOUT_MS)
        .emitWithAck('shout', { target: 'self', text: 'still here' }),
    ).toEqual({ ok: true });
    // The server handles one socket's messages in order: the join came before.
    expect(lesson.io.of('/').adapter.rooms.has('attic')).toBe(false);
  });
});

describe.concurrent('a message of the wrong shape', () => {
  /** A test: eve sends `event` with `args` and gets `{ error }`; nobody, eve included, gets news. */
  const refused =
    (event: string, args: unknown[], error: string) => async (context: TestContext) => {
      const kit = kitFor(context);
      const lesson = await kit.startLesson(createApp);
      const as = (name: string) => kit.connect(lesson, { query: { name }, transport: 'websocket' });
      const [eve, ben] = await Promise.all([as('eve'), as('ben')]);
      const heard = await hear(lesson, { eve, ben }, 'news', async () => {
        expect(await eve.timeout(DEFAULT_TIMEOUT_MS).emitWithAck(event, ...args)).toEqual({
          error,
        });
      });
      expect(heard).toEqual({ eve: [], ben: [] });
    };
  const TEXT = 'texts are 1 to 500 characters';
  const MALFORMED = 'malformed message';

  it(
    'is refused: an unknown event',
    refused('whisper', [{ to: 'ben', text: 'hi' }], 'unknown event'),
  );
  it(
    'is refused: a target that is not a string',
    refused('shout', [{ target: 42, text: 'hi' }], 'targets are 1 to 20 characters'),
  );
  it(
    'is refused: a room that is not a string',
    refused(
      'shout',
      [{ target: 'room', room: ['blue'], text: 'hi' }],
      'room names are at most 40 characters',
    ),
  );
  it(
    'is refused: a text that is not a string',
    refused('shout', [{ target: 'all', text: ['hi'] }], TEXT),
  );
  it(
    'is refused: a text over 500 characters',
    refused('shout', [{ target: 'all', text: 'x'.repeat(501) }], TEXT),
  );
  it(
    'is refused: a field no event has',
    refused('shout', [{ target: 'all', text: 'hi', from: 'ben' }], MALFORMED),
  );
  it(
    'is refused: an extra argument',
    refused('shout', [{ target: 'all', text: 'hi' }, 'more'], MALFORMED),
  );
});

describe('io.to(room).emit in a loop over rooms', () => {
  it('sends a member of two of the rooms two copies, where io.to([a, b]) sends one', async () => {
    const lesson = await startLesson(createApp);
    const { clients } = await setScene(lesson, { connect });
    const received = await deliveries(lesson, clients, () => {
      for (const room of ['red', 'blue']) lesson.io.to(room).emit('news', SERVER_NEWS);
    });
    expect(received.ben).toEqual([SERVER_NEWS, SERVER_NEWS]);
    expect(received.ana).toEqual([SERVER_NEWS]);
    expect(received.cat).toEqual([SERVER_NEWS]);
  });
});

describe.concurrent('socket.disconnect() on the server', () => {
  // Retry quickly and at a fixed delay, so "after the delay" is a known moment.
  const retry = {
    reconnection: true,
    reconnectionDelay: 50,
    reconnectionDelayMax: 50,
    randomizationFactor: 0,
  };

  it('is final: the client gets "io server disconnect" and does not reconnect, even with reconnection on', async (context) => {
    const kit = kitFor(context);
    const lesson = await kit.startLesson(createApp);
    const ana: Client = await kit.connect(lesson, { query: { name: 'ana' }, ...retry });
    const ben: Client = await kit.connect(lesson, { query: { name: 'ben' }, ...retry });
    const attempts: number[] = [];
    ana.io.on('reconnect_attempt', (attempt) => attempts.push(attempt));

    const anaGone = nextEvent<[string]>(ana, 'disconnect');
    ana.emit('bye');
    expect((await anaGone)[0]).toBe('io server disconnect');

    // For comparison, ben loses his connection without a word from the server:
    // he reconnects after the delay. By then ana's retry, had there been one,
    // would have started.
    const benGone = nextEvent<[string]>(ben, 'disconnect');
    const benBack = nextEvent(ben, 'connect');
    lesson.io
      .of('/')
      .sockets.get(ben.id as string)
      ?.conn.close();
    expect((await benGone)[0]).toBe('transport close');
    await benBack;

    expect(ben.connected).toBe(true);
    expect(attempts).toEqual([]);
    expect(ana.connected).toBe(false);
    expect(ana.active).toBe(false); // active: "will it reconnect by itself?"
  });

  it('leaves the client free to connect again by calling socket.connect()', async (context) => {
    const kit = kitFor(context);
    const lesson = await kit.startLesson(createApp);
    const ana: Client = await kit.connect(lesson, { query: { name: 'ana' } });
    const firstId = ana.id;
    const anaGone = nextEvent(ana, 'disconnect');
    ana.emit('bye');
    await anaGone;

    const back = nextEvent(ana, 'connect');
    ana.connect();
    await back;
    expect(ana.id).not.toBe(firstId);
  });
});
