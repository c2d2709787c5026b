import { DEFAULT_TIMEOUT_MS, hear, kitFor } from '@lessons/test-kit';
import { describe, expect, it, type TestContext } from 'vitest';
import { createApp } from '#target/app.ts';
import type { ClientToServerEvents, News, ServerToClientEvents, Target } from '#target/events.ts';
import {
  ask,
  awaitEvent,
  type Client,
  deliveries,
  misdelivered,
  preview,
  SCENE,
  send,
  setScene,
} from './scene.ts';
import { DISCONNECTS, EMITS, PEOPLE, type Row, SENDER } from './who-receives.ts';

// The rows the app sends through a shout or a bye. The rows that call Socket.IO
// on the server directly test no code of the app: test/facts/ runs them.
const byApp = (rows: Row[]) => rows.filter((row) => !('server' in row.via));
const shoutsTo = (targets: Target[]) =>
  byApp(EMITS).filter((row) => 'shout' in row.via && targets.includes(row.via.shout.target));

// [call, reaches, row]: %s prints the strings as they are, where $call would quote them.
const cases = (rows: Row[]) => rows.map((row) => [row.call, row.reaches, row] as const);

/** A test: ana sends `row` in a scene of its own; exactly its receivers get her news, once each. */
const reachesExactly = async ([, , row]: readonly [string, string, Row], context: TestContext) => {
  const kit = kitFor(context);
  const lesson = await kit.startLesson(createApp);
  const { clients, scene } = await setScene(lesson, kit);
  const received = await deliveries(lesson, clients, () => send(row, clients, scene));

  const counts = Object.fromEntries(PEOPLE.map((name) => [name, received[name].length]));
  const once = Object.fromEntries(
    PEOPLE.map((name) => [name, row.receivers.includes(name) ? 1 : 0]),
  );
  expect(
    counts,
    `copies of ana's news each client received from ${row.call} (${SCENE}): ${misdelivered(received, row.receivers)}`,
  ).toEqual(once);
  if (!('shout' in row.via)) throw new Error(`${row.call} is not sent by a shout`);
  const expected = { from: SENDER, target: row.via.shout.target, text: 'hello' };
  for (const name of row.receivers) {
    expect(received[name], `the news ${name} received from ${row.call}`).toEqual([expected]);
  }
};

/** A test: ana's shout is answered `{ error }`, and nobody, ana included, receives news. */
const refusedShout =
  (shouts: { shout: Record<string, string>; error: string }[]) => async (context: TestContext) => {
    const kit = kitFor(context);
    const lesson = await kit.startLesson(createApp);
    const { clients } = await setScene(lesson, kit);
    const received = await deliveries(lesson, clients, async () => {
      for (const { shout, error } of shouts) {
        const reply = await ask(clients.ana, 'ana', 'shout', shout);
        expect(reply, `ana's shout ${preview(shout)} should be refused with '${error}'`).toEqual({
          error,
        });
      }
    });
    expect(
      received,
      'news each client received after a refused shout: it should send nothing',
    ).toEqual(Object.fromEntries(PEOPLE.map((name) => [name, []])));
  };

// The scene: ana in red, ben in red and blue, cat in blue, dan in no room (ROOMS).
// Each test sets a scene of its own, with a kit of its own, so the tests run side by side.
describe.concurrent('a shout to everyone: self, all, others', () => {
  it.for(cases(shoutsTo(['self', 'all', 'others'])))('%s reaches %s', reachesExactly);

  it('signs the news with the socket id when the handshake query has no name', async (context) => {
    const kit = kitFor(context);
    const lesson = await kit.startLesson(createApp);
    const client: Client = await kit.connect<ServerToClientEvents, ClientToServerEvents>(lesson);
    const heard = await hear<'client', News>(lesson, { client }, 'news', async () => {
      const reply = await ask(client, 'a client with no name', 'shout', {
        target: 'self',
        text: 'hi',
      });
      expect(
        reply,
        'the shout { target: "self" } of a client with no name answered, where { ok: true } was due',
      ).toEqual({ ok: true });
    });
    expect(heard.client, 'the news a client with no name received from its own shout').toEqual([
      { from: client.id, target: 'self', text: 'hi' },
    ]);
  });

  it(
    'answers { error } for an unknown target, and sends nothing',
    refusedShout([
      { shout: { target: 'everyone', text: 'hello' }, error: 'unknown target "everyone"' },
    ]),
  );
});

describe.concurrent('a shout to a room: room, room-others, except-room', () => {
  it.for(cases(shoutsTo(['room', 'room-others', 'except-room'])))('%s reaches %s', reachesExactly);

  it(
    'answers { error } for a room target without a room, and sends nothing',
    refusedShout(
      (['room', 'room-others', 'except-room'] as const).map((target) => ({
        shout: { target, text: 'hello' },
        error: `"${target}" needs a room`,
      })),
    ),
  );
});

describe.concurrent('bye: socket.disconnect() on the server', () => {
  it.for(cases(byApp(DISCONNECTS)))('%s ends %s', async ([, , row], context) => {
    const kit = kitFor(context);
    const lesson = await kit.startLesson(createApp);
    const { clients, scene } = await setScene(lesson, kit);
    const ended = row.receivers.map((name) =>
      awaitEvent<[string]>(clients[name], name, 'disconnect', `after ${SENDER} sent bye`),
    );

    await send(row, clients, scene);
    const reasons = (await Promise.all(ended)).map(([reason]) => reason);
    expect(reasons, `the disconnect reasons of ${row.receivers.join(', ')}`).toEqual(
      row.receivers.map(() => 'io server disconnect'),
    );

    // The others are still connected: a fence sent now reaches each of them.
    const others = PEOPLE.filter((name) => !row.receivers.includes(name));
    await deliveries(lesson, clients, () => {}, others);
    expect(
      others.filter((name) => !clients[name].connected),
      `who lost their connection besides ${row.receivers.join(', ')}`,
    ).toEqual([]);
    expect(lesson.io.of('/').sockets.size, 'sockets still connected on the server').toBe(
      others.length,
    );
  });

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

    const anaGone = awaitEvent<[string]>(ana, 'ana', 'disconnect', 'after her bye');
    ana.emit('bye');
    expect((await anaGone)[0], "ana's disconnect reason").toBe('io server disconnect');

    // For comparison, ben loses his connection without a word from the server:
    // he reconnects after the delay. By then ana's retry, had there been one,
    // would have started.
    const benGone = awaitEvent<[string]>(
      ben,
      'ben',
      'disconnect',
      'after the server closed his connection',
    );
    const benBack = awaitEvent(ben, 'ben', 'connect', 'back after the reconnection delay');
    lesson.io
      .of('/')
      .sockets.get(ben.id as string)
      ?.conn.close();
    expect((await benGone)[0], "ben's disconnect reason").toBe('transport close');
    await benBack;

    expect(ben.connected, 'ben connected again').toBe(true);
    expect(attempts, "ana's reconnection attempts").toEqual([]);
    expect(ana.connected, 'ana connected').toBe(false);
    // active: "will it reconnect by itself?"
    expect(ana.active, 'ana will reconnect by herself (socket.active)').toBe(false);
  });

  it('leaves the client free to connect again by calling socket.connect()', async (context) => {
    const kit = kitFor(context);
    const lesson = await kit.startLesson(createApp);
    const ana: Client = await kit.connect(lesson, { query: { name: 'ana' } });
    const firstId = ana.id;
    const anaGone = awaitEvent(ana, 'ana', 'disconnect', 'after her bye');
    ana.emit('bye');
    await anaGone;

    const back = awaitEvent(ana, 'ana', 'connect', 'after she called socket.connect()');
    ana.connect();
    await back;
    expect(ana.id, "ana's new socket id").not.toBe(firstId);
  });
});

describe.concurrent('the message check: a message of the wrong shape', () => {
  /** A test: eve sends `event` with `args` and gets `{ error }`; nobody, eve included, gets news. */
  const refused =
    (event: string, args: unknown[], error: string) => async (context: TestContext) => {
      const kit = kitFor(context);
      const lesson = await kit.startLesson(createApp);
      const as = (name: string) => kit.connect(lesson, { query: { name }, transport: 'websocket' });
      const [eve, ben] = await Promise.all([as('eve'), as('ben')]);
      const heard = await hear(lesson, { eve, ben }, 'news', async () => {
        const sent = `eve's ${event}(${args.map(preview).join(', ')})`;
        const reply = await eve
          .timeout(DEFAULT_TIMEOUT_MS)
          .emitWithAck(event, ...args)
          .catch(() => {
            throw new Error(
              `${sent} got no answer within ${DEFAULT_TIMEOUT_MS} ms: the message check must answer { error: "${error}" }`,
            );
          });
        expect(reply, `${sent} should be refused with '${error}'`).toEqual({ error });
      });
      expect(
        heard,
        'news eve and ben received after a refused message: there should be none',
      ).toEqual({ eve: [], ben: [] });
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
});
