import { DEFAULT_TIMEOUT_MS, kitFor, nextEvent } from '@lessons/test-kit';
import { describe, expect, it, type TestContext } from 'vitest';
import { type AppOptions, createApp } from '#target/app.ts';
import { CHAT, type Said } from '#target/events.ts';
import { RawClient } from '#target/raw-client.ts';

/** The lesson's server on a kit of the test's own, and a raw client connected to /chat. */
async function rawInChat(context: TestContext, name = 'ana', options: AppOptions = {}) {
  const kit = kitFor(context);
  const lesson = await kit.startLesson(createApp, options);
  const raw = await RawClient.connect(lesson.url, { namespace: CHAT, auth: { name } });
  context.onTestFinished(() => raw.close());
  const serverSide = lesson.io.of(CHAT).sockets.get(raw.id);
  expect(
    serverSide,
    `a socket of ${CHAT} with the id ${raw.id} from the CONNECT answer`,
  ).toBeDefined();
  return { kit, lesson, raw, serverSide: serverSide as NonNullable<typeof serverSide> };
}

// Each test may wait for a frame that a starter never sends: they run side by side.
describe.concurrent('RawClient.connect: the open packet, then CONNECT', () => {
  it('reads the open packet’s fields: sid, upgrades, pingInterval, pingTimeout, maxPayload', async (context) => {
    const { lesson, raw, serverSide } = await rawInChat(context, 'ana', {
      pingInterval: 3000,
      pingTimeout: 2000,
    });
    expect(raw.handshake, 'raw.handshake, the JSON of the open packet').toEqual({
      // Engine.IO's types keep the session id private; it is there all the same.
      sid: (serverSide.conn as unknown as { id: string }).id,
      upgrades: [], // already on WebSocket: nothing to upgrade to
      pingInterval: 3000,
      pingTimeout: 2000,
      maxPayload: 1_000_000,
    });
    expect(raw.id, 'the Socket.IO id is not the Engine.IO sid').not.toBe(raw.handshake.sid);
    expect(lesson.io.engine.clientsCount, 'Engine.IO sessions on the server').toBe(1);
  });

  it('connects to /chat with the auth payload, which the server reads as socket.handshake.auth', async (context) => {
    const kit = kitFor(context);
    const lesson = await kit.startLesson(createApp);
    const raw = await RawClient.connect(lesson.url, {
      namespace: CHAT,
      auth: { name: 'ben', token: 'abc' },
    });
    context.onTestFinished(() => raw.close());
    const serverSide = lesson.io.of(CHAT).sockets.get(raw.id);
    expect(serverSide?.handshake.auth, 'socket.handshake.auth on the server').toEqual({
      name: 'ben',
      token: 'abc',
    });
    expect(serverSide?.data.name, 'the name /chat’s middleware kept').toBe('ben');
  });

  it('rejects with the server’s message when the namespace refuses it (CONNECT_ERROR)', async (context) => {
    const kit = kitFor(context);
    const lesson = await kit.startLesson(createApp);
    await expect(
      RawClient.connect(lesson.url, { namespace: CHAT, auth: {} }),
      'connecting to /chat without a name: 44/chat,{"message":"name required"}',
    ).rejects.toThrow('name required');
  });

  it('rejects for a namespace the server does not have: "Invalid namespace"', async (context) => {
    const kit = kitFor(context);
    const lesson = await kit.startLesson(createApp);
    await expect(
      RawClient.connect(lesson.url, { namespace: '/nowhere' }),
      'connecting to /nowhere: 44/nowhere,{"message":"Invalid namespace"}',
    ).rejects.toThrow('Invalid namespace');
  });
});

describe.concurrent('answering pings', () => {
  it('answers each ping (2) with a pong (3), so the server keeps the connection', async (context) => {
    // Pings every 50 ms, but a second to answer each: a busy machine can stall a process for
    // more than 60 ms, which must not pass for a client that does not answer.
    const { raw, serverSide } = await rawInChat(context, 'ana', {
      pingInterval: 50,
      pingTimeout: 1000,
    });
    const closed = nextEvent<[string]>(serverSide, 'disconnect', 5000).then(
      ([reason]) => reason,
      () => undefined,
    );
    // Engine.IO emits "heartbeat" on the server each time a pong arrives.
    for (let beat = 1; beat <= 3; beat += 1) {
      const heartbeat = nextEvent(serverSide.conn, 'heartbeat', 1000);
      const reason = await Promise.race([heartbeat.then(() => undefined), closed]);
      expect(reason, `the server closed the connection before pong ${beat}`).toBeUndefined();
    }
    expect(serverSide.connected, 'the server’s socket, after three pings').toBe(true);
    expect(raw.pongs, 'raw.pongs, the pings answered').toBeGreaterThanOrEqual(3);
  });
});

describe.concurrent('emitWithAck', () => {
  it('sends an EVENT with an id and resolves with the arguments of the ACK with that id', async (context) => {
    const { raw } = await rawInChat(context);
    expect(await raw.emitWithAck('join', 'lobby'), 'emitWithAck("join", "lobby")').toEqual([
      { rooms: ['lobby'] },
    ]);
    expect(await raw.emitWithAck('whoami'), 'emitWithAck("whoami")').toEqual([
      { name: 'ana', auth: { name: 'ana' } },
    ]);
  });

  it('gives each EVENT an id of its own: answers to two at once do not mix', async (context) => {
    const { raw } = await rawInChat(context);
    const [first, second] = await Promise.all([
      raw.emitWithAck('join', 'kitchen'),
      raw.emitWithAck('join', 'a'.repeat(41)),
    ]);
    expect(first, 'the answer to join("kitchen")').toEqual([{ rooms: ['kitchen'] }]);
    expect(second, 'the answer to join(41 characters)').toEqual([
      { error: 'room names are 1 to 40 characters' },
    ]);
  });

  it('sends bytes as a BINARY_EVENT and reads the BINARY_ACK’s attachment', async (context) => {
    const { raw } = await rawInChat(context);
    const [reversed] = await raw.emitWithAck('reverse', Buffer.from([1, 2, 3, 250]));
    expect(reversed, 'emitWithAck("reverse", <01 02 03 fa>)').toEqual(Buffer.from([250, 3, 2, 1]));
  });
});

/**
 * What `event` resolves with, or `fallback` once DEFAULT_TIMEOUT_MS have passed without it:
 * a client that never hands an event on then fails on the assertion that says what arrived,
 * not on the test's timeout. Not a sleep: a client that works settles it at once.
 */
function settledWithin<T, F>(
  context: Pick<TestContext, 'onTestFinished'>,
  event: Promise<T>,
  fallback: F,
): Promise<T | F> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), DEFAULT_TIMEOUT_MS);
    context.onTestFinished(() => clearTimeout(timer));
    event.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

describe.concurrent('receiving events', () => {
  it('receives "said" sent to a room it shares with a real socket.io-client', async (context) => {
    const { kit, lesson, raw, serverSide } = await rawInChat(context);
    serverSide.join('lobby');
    const ben = await kit.connect(`${lesson.url}${CHAT}`, { auth: { name: 'ben' } });
    expect(await ben.emitWithAck('join', 'lobby'), 'ben joins lobby').toEqual({ rooms: ['lobby'] });
    const heard = settledWithin(
      context,
      new Promise<unknown[]>((resolve) => raw.on('said', (...args) => resolve(args))),
      `nothing within ${DEFAULT_TIMEOUT_MS} ms`,
    );
    expect(await ben.emitWithAck('say', { room: 'lobby', text: 'hi ana' })).toEqual({ ok: true });
    const said: Said = { from: 'ben', room: 'lobby', text: 'hi ana' };
    expect(
      await heard,
      'what raw.on("said") received after ben said in lobby: 42/chat,["said",{…}]',
    ).toEqual([said]);
  });

  it('hands each listener the arguments of its own event only', async (context) => {
    const { raw, serverSide } = await rawInChat(context);
    const heard: string[] = [];
    raw.on('one', (...args) => heard.push(`one ${JSON.stringify(args)}`));
    raw.on('two', (...args) => heard.push(`two ${JSON.stringify(args)}`));
    const fence = settledWithin(
      context,
      new Promise<void>((resolve) => raw.on('fence', () => resolve())),
      undefined,
    );
    serverSide.emit('two' as never, 2, 'b');
    serverSide.emit('one' as never, 1);
    serverSide.emit('fence' as never);
    await fence;
    expect(heard, 'what each listener received, in order').toEqual(['two [2,"b"]', 'one [1]']);
  });
});
