import { type ConnectOptions, closeAll, createClient, kitFor, nextEvent } from '@lessons/test-kit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Lesson, lineWith, start } from './helpers.ts';

afterEach(closeAll);

/** Poll every 5 ms: what a test waits for here takes a few milliseconds on localhost. */
const often = { interval: 5 };

/**
 * A connected client that answers `whoareyou`, as every client of this app
 * should. Connected first, so that a timeout on its first emit measures the
 * round trip, not the handshake; over WebSocket, the quickest handshake (the
 * Chromium test in browser.test.ts takes the default path, long-polling then WebSocket).
 */
async function client(lesson: Lesson, options: ConnectOptions = {}) {
  const socket = createClient(lesson, { transport: 'websocket', ...options });
  socket.on('whoareyou', (ack: (answer: string) => void) => ack('test client'));
  await nextEvent(socket, 'connect');
  return socket;
}

describe('socket.send(data)', () => {
  it('is emit("message", data): the server echoes it with send(), read with on("message")', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    const echoes: unknown[] = [];
    socket.on('message', (data) => echoes.push(data));

    socket.send('sent with send');
    socket.emit('message', 'sent with emit');

    await vi.waitFor(() => expect(echoes).toHaveLength(2), often);
    expect(echoes).toEqual(['sent with send', 'sent with emit']);
    expect(lesson.lines).toContainEqual(lineWith('message', 'sent with send'));
  });

  it('echoes any kind of data: an object, an array, a number', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    socket.send({ text: 'hi', tags: ['a', 'b'] });
    expect(await nextEvent(socket, 'message')).toEqual([{ text: 'hi', tags: ['a', 'b'] }]);
    socket.send(42);
    expect(await nextEvent(socket, 'message')).toEqual([42]);
  });
});

describe('socket.emit(eventName, ...args)', () => {
  it('runs the snippets a learner may have seen: send("Hello!") and emit("eventName", …)', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    const received: unknown[][] = [];

    // #region seed
    socket.on('message', (data) => received.push(['message', data]));
    socket.on('greetings', (elem1, elem2, elem3) =>
      received.push(['greetings', elem1, elem2, elem3]),
    );

    socket.send('Hello!');
    socket.emit('eventName', 'Hello!', { mr: 'john' }, Uint8Array.from([1, 2, 3, 4]));
    // #endregion seed

    await nextEvent(socket, 'greetings');
    // #region seed-received
    expect(received).toStrictEqual([
      ['message', 'Hello!'],
      ['greetings', 'Hello!', { mr: 'john' }, Buffer.from([1, 2, 3, 4])],
    ]);
    // #endregion seed-received
  });

  it('sends greetings back with every argument, in order, whatever their types', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    const bytes = Uint8Array.from([0, 255]);
    socket.emit(
      'eventName',
      'text',
      3.5,
      true,
      null,
      [1, 'two'],
      { nested: { deep: bytes } },
      bytes,
    );
    const args = await nextEvent(socket, 'greetings');
    expect(args).toStrictEqual([
      'text',
      3.5,
      true,
      null,
      [1, 'two'],
      { nested: { deep: Buffer.from([0, 255]) } },
      Buffer.from([0, 255]),
    ]);
  });

  it('returns binary as binary: Uint8Array, Buffer and ArrayBuffer arrive as Buffers in Node', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    socket.emit(
      'eventName',
      Uint8Array.from([1, 2]),
      Buffer.from('hi'),
      new Uint8Array([7, 8]).buffer,
    );
    const args = await nextEvent(socket, 'greetings');
    expect(args.every((arg) => Buffer.isBuffer(arg))).toBe(true);
    expect(args.map((arg) => [...(arg as Buffer)])).toEqual([
      [1, 2],
      [104, 105],
      [7, 8],
    ]);
  });

  it('leaves out a callback the sender added: greetings carries only the data', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    socket.emit('eventName', 'a', 'b', () => {});
    expect(await nextEvent(socket, 'greetings')).toEqual(['a', 'b']);
  });
});

describe('sum, with an acknowledgement', () => {
  it('answers { sum } through the callback passed as the last argument', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    const answer = new Promise((resolve) => {
      socket.emit('sum', [1, 2, 3.5], resolve);
    });
    expect(await answer).toEqual({ sum: 6.5 });
  });

  it('lets timeout(ms).emitWithAck() await the same answer', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    expect(await socket.timeout(1000).emitWithAck('sum', [10, -4])).toEqual({ sum: 6 });
    expect(await socket.timeout(1000).emitWithAck('sum', [])).toEqual({ sum: 0 });
  });

  it.each([
    ['a string', ['1, 2']],
    ['an array holding a string', [[1, '2']]],
    ['null', [null]],
    ['an object', [{ numbers: [1, 2] }]],
    ['two arrays', [[1], [2]]],
    ['nothing', []],
  ])('answers { error } with a readable reason for %s', async (_label, args) => {
    const lesson = await start();
    const socket = await client(lesson);
    const answer = await socket.timeout(1000).emitWithAck('sum', ...args);
    expect(answer).toEqual({ error: expect.any(String) });
    expect(answer.error).not.toMatch(/not implemented/i);
    expect(answer.error.length).toBeGreaterThan(10);
  });

  it('names what is wrong in the reason', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    expect(await socket.timeout(1000).emitWithAck('sum', [1, 'two'])).toEqual({
      error: expect.stringMatching(/item 1 is a string/),
    });
  });

  it('keeps serving after bad requests, and after a sum sent without a callback', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    await socket.timeout(1000).emitWithAck('sum', 'not an array');
    await socket.timeout(1000).emitWithAck('sum', [Number.NaN]); // NaN travels as null
    socket.emit('sum', [1, 2]); // no callback: nobody to answer
    expect(await socket.timeout(1000).emitWithAck('sum', [1, 2])).toEqual({ sum: 3 });
    expect(socket.connected).toBe(true);
    expect(lesson.io.of('/').sockets.size).toBe(1);
  });
});

// Both wait for a question a server may never ask: with a kit each, they wait side by side.
describe.concurrent('whoareyou: the server asks the client', () => {
  it('asks every new client with an acknowledgement, and logs the answer', async (context) => {
    const kit = kitFor(context);
    const lesson = await start({}, kit);
    const socket = kit.createClient(lesson);
    const [ack] = await nextEvent<[(answer: string) => void]>(socket, 'whoareyou');
    expect(typeof ack).toBe('function');
    ack('ada in a test');
    await expect
      .poll(() => lesson.lines, often)
      .toContainEqual(lineWith(`${socket.id}`, 'ada in a test'));
  });

  it('logs that no answer came when the client does not answer in time', async (context) => {
    const kit = kitFor(context);
    const lesson = await start({ whoareyouTimeoutMs: 20 }, kit);
    const socket = kit.createClient(lesson);
    await nextEvent(socket, 'whoareyou'); // asked, never answered
    await expect
      .poll(() => lesson.lines, often)
      .toContainEqual(lineWith(`${socket.id}`, 'did not answer'));
  });
});

describe('socket.onAny on the server', () => {
  it('sees every incoming event, even one without a handler, with its arguments', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    socket.emit('no-handler-for-this', 1, 'two');
    socket.emit('eventName', 'x', Uint8Array.from([1]));
    await socket.timeout(1000).emitWithAck('sum', [1]);
    expect(lesson.lines).toContainEqual(lineWith('no-handler-for-this', '1', 'two'));
    expect(lesson.lines).toContainEqual(lineWith('eventName', 'x'));
    expect(lesson.lines).toContainEqual(lineWith('sum', '1'));
  });
});

describe('disconnect on the server', () => {
  it('logs the reason: "client namespace disconnect" when the client calls disconnect()', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    const id = socket.id;
    socket.disconnect();
    await expect
      .poll(() => lesson.lines, often)
      .toContainEqual(lineWith(`${id}`, 'client namespace disconnect'));
  });
});
