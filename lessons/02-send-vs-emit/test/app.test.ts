import { type ConnectOptions, closeAll, createClient, kitFor, nextEvent } from '@lessons/test-kit';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SumResult } from '#target/events.ts';
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

/** `[1, "two"], "x"`: arguments as a failure message shows them. */
const shown = (args: unknown[]) => args.map((arg) => JSON.stringify(arg)).join(', ');

/** The server's answer to `sum` with `args`, or a failure that says none came within a second. */
async function askSum(socket: Socket, ...args: unknown[]): Promise<SumResult> {
  return socket
    .timeout(1000)
    .emitWithAck('sum', ...args)
    .catch((error: Error) => {
      throw new Error(
        `no answer to sum(${shown(args)}) within 1000 ms: does on('sum') call its last argument, the callback? (${error.message})`,
      );
    });
}

/** The next event `event` on `socket`, or a failure that says what the server should have done. */
async function next(socket: Socket, event: string, should: string): Promise<unknown[]> {
  return nextEvent(socket, event).catch((error: Error) => {
    throw new Error(`${should} (${error.message})`);
  });
}

describe('socket.send(data)', () => {
  it('is emit("message", data): the server echoes it with send(), read with on("message")', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    const echoes: unknown[] = [];
    socket.on('message', (data) => echoes.push(data));

    socket.send('sent with send');
    socket.emit('message', 'sent with emit');

    await vi.waitFor(
      () => expect(echoes, "what came back to the client's on('message')").toHaveLength(2),
      often,
    );
    expect(echoes, `on('message') on the client received ${shown(echoes)}`).toEqual([
      'sent with send',
      'sent with emit',
    ]);
  });

  it('echoes any kind of data: an object, an array, a number', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    const echo = () => next(socket, 'message', 'no message came back: does on("message") send it?');
    socket.send({ text: 'hi', tags: ['a', 'b'] });
    const object = await echo();
    expect(object, `the echo of send({ text: "hi", … }) was ${shown(object)}`).toEqual([
      { text: 'hi', tags: ['a', 'b'] },
    ]);
    socket.send(42);
    const number = await echo();
    expect(number, `the echo of send(42) was ${shown(number)}`).toEqual([42]);
  });
});

describe('socket.emit(eventName, ...args)', () => {
  it('runs the snippets a learner may have seen: send("Hello!") and emit("eventName", …)', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    // #region seed
    const received: unknown[][] = [];
    socket.on('message', (data) => received.push(['message', data]));
    socket.on('greetings', (elem1, elem2, elem3) =>
      received.push(['greetings', elem1, elem2, elem3]),
    );

    socket.send('Hello!');
    socket.emit('eventName', 'Hello!', { mr: 'john' }, Uint8Array.from([1, 2, 3, 4]));
    // #endregion seed

    await next(socket, 'greetings', 'no greetings came: does on("eventName") emit it?');
    // #region seed-received
    expect(received, `the client received ${JSON.stringify(received)}`).toStrictEqual([
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
    const args = await next(
      socket,
      'greetings',
      'no greetings came: does on("eventName") emit it?',
    );
    expect(args, `greetings arrived with ${shown(args)}`).toStrictEqual([
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
    const args = await next(
      socket,
      'greetings',
      'no greetings came: does on("eventName") emit it?',
    );
    expect(
      args.map((arg) => (Buffer.isBuffer(arg) ? 'Buffer' : typeof arg)),
      'what each argument of greetings arrived as',
    ).toEqual(['Buffer', 'Buffer', 'Buffer']);
    expect(
      args.map((arg) => [...(arg as Buffer)]),
      'the bytes of each',
    ).toEqual([
      [1, 2],
      [104, 105],
      [7, 8],
    ]);
  });

  it('leaves out a callback the sender added: greetings carries only the data', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    socket.emit('eventName', 'a', 'b', () => {});
    const args = await next(
      socket,
      'greetings',
      'no greetings came: does on("eventName") emit it?',
    );
    expect(args, `greetings for emit('eventName', 'a', 'b', callback) were ${shown(args)}`).toEqual(
      ['a', 'b'],
    );
  });
});

describe('sum, with an acknowledgement', () => {
  it('answers { sum } through the callback passed as the last argument', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    const answer = new Promise((resolve, reject) => {
      // timeout(ms) only adds a first argument, the error, to the callback: the server sees the same emit.
      socket.timeout(1000).emit('sum', [1, 2, 3.5], (error: Error | null, result: unknown) => {
        if (!error) resolve(result);
        else reject(new Error(`no answer to sum([1,2,3.5]) within 1000 ms: ${error?.message}`));
      });
    });
    const result = await answer;
    expect(result, `sum([1, 2, 3.5]) answered ${JSON.stringify(result)}`).toEqual({ sum: 6.5 });
  });

  it('lets timeout(ms).emitWithAck() await the same answer', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    const six = await askSum(socket, [10, -4]);
    expect(six, `sum([10, -4]) answered ${JSON.stringify(six)}`).toEqual({ sum: 6 });
    const zero = await askSum(socket, []);
    expect(zero, `sum([]) answered ${JSON.stringify(zero)}`).toEqual({ sum: 0 });
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
    const answer = await askSum(socket, ...args);
    expect(answer, `sum(${shown(args)}) answered ${JSON.stringify(answer)}`).toEqual({
      error: expect.any(String),
    });
    const { error } = answer as { error: string };
    expect(error, 'the reason: does on("sum") answer with sum(args)?').not.toMatch(
      /not implemented/i,
    );
    expect(error.length, `the length of the reason "${error}"`).toBeGreaterThan(10);
  });

  it('names what is wrong in the reason', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    const answer = await askSum(socket, [1, 'two']);
    expect(answer, `sum([1, "two"]) answered ${JSON.stringify(answer)}`).toEqual({
      error: expect.stringMatching(/item 1 is a string/),
    });
  });

  it('keeps serving after bad requests, and after a sum sent without a callback', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    await askSum(socket, 'not an array');
    await askSum(socket, [Number.NaN]); // NaN travels as null
    socket.emit('sum', [1, 2]); // no callback: nobody to answer
    const three = await askSum(socket, [1, 2]);
    expect(three, `after those, sum([1, 2]) answered ${JSON.stringify(three)}`).toEqual({ sum: 3 });
    expect(socket.connected, 'the client is still connected').toBe(true);
    expect(lesson.io.of('/').sockets.size, 'the sockets the server holds').toBe(1);
  });
});

const ASKED =
  "the server did not ask whoareyou: does io.on('connection', …) emit it with a timeout and an acknowledgement?";

// Both wait for a question a server may never ask: with a kit each, they wait side by side.
describe.concurrent('whoareyou: the server asks the client', () => {
  it('asks every new client with an acknowledgement, and logs the answer', async (context) => {
    const kit = kitFor(context);
    const lesson = await start({}, kit);
    const socket = kit.createClient(lesson);
    const [ack] = (await next(socket, 'whoareyou', ASKED)) as [(answer: string) => void];
    expect(typeof ack, 'what whoareyou carries last: a callback, with an acknowledgement').toBe(
      'function',
    );
    ack('ada in a test');
    await expect
      .poll(() => lesson.lines, {
        ...often,
        message: `a log line with "${socket.id}" then "ada in a test"`,
      })
      .toContainEqual(lineWith(`${socket.id}`, 'ada in a test'));
  });

  it('logs that no answer came when the client does not answer in time', async (context) => {
    const kit = kitFor(context);
    const lesson = await start({ whoareyouTimeoutMs: 20 }, kit);
    const socket = kit.createClient(lesson);
    await next(socket, 'whoareyou', ASKED); // asked, never answered
    await expect
      .poll(() => lesson.lines, {
        ...often,
        message: `a log line with "${socket.id}" then "did not answer"`,
      })
      .toContainEqual(lineWith(`${socket.id}`, 'did not answer'));
  });
});

describe('the server log: onAny and disconnect', () => {
  it('logs every incoming event, even one without a handler, with its arguments', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    socket.send('sent with send');
    socket.emit('no-handler-for-this', 1, 'two');
    socket.emit('eventName', 'x', Uint8Array.from([1]));
    await askSum(socket, [1]);
    const logged = (...parts: string[]) =>
      expect(lesson.lines, `a log line with ${shown(parts)}, in that order`).toContainEqual(
        lineWith(...parts),
      );
    logged('message', 'sent with send');
    logged('no-handler-for-this', '1', 'two');
    logged('eventName', 'x');
    logged('sum', '1');
  });

  it('logs the reason a socket left: "client namespace disconnect" when the client calls disconnect()', async () => {
    const lesson = await start();
    const socket = await client(lesson);
    const id = socket.id;
    socket.disconnect();
    await expect
      .poll(() => lesson.lines, {
        ...often,
        message: `a log line with "${id}" then "client namespace disconnect"`,
      })
      .toContainEqual(lineWith(`${id}`, 'client namespace disconnect'));
  });
});
