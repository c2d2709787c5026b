// The worked example of lesson 2's page, proven: never graded.
import { closeAll, createClient, kitFor, nextEvent, startLesson } from '@lessons/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createTextTools, type ToolOptions } from '../../examples/text-tools.ts';

afterEach(closeAll);

/** Start the example with its log collected; connect a client that answers `clock`. */
async function connected(options: ToolOptions = {}, kit = { startLesson, createClient }) {
  const lines: string[] = [];
  const lesson = await kit.startLesson(createTextTools, {
    log: (line: string) => lines.push(line),
    ...options,
  });
  const socket = kit.createClient(lesson, { transport: 'websocket' });
  socket.on('clock', (ack: (time: string) => void) => ack('12:00'));
  await nextEvent(socket, 'connect');
  return { lesson, lines, socket };
}

describe('the text-tools example', () => {
  it('shouts a message back with emit("message"), which on("message") reads', async () => {
    const { socket } = await connected();
    socket.send('hello');
    expect(await nextEvent(socket, 'message')).toEqual(['HELLO']);
  });

  it('sends every argument back in reverse order', async () => {
    const { socket } = await connected();
    socket.emit('reverse', 1, 'two', { three: 3 }, Uint8Array.from([4]));
    expect(await nextEvent(socket, 'reversed')).toStrictEqual([
      Buffer.from([4]),
      { three: 3 },
      'two',
      1,
    ]);
  });

  it('answers measure through its callback, with an error for what is not a string', async () => {
    const { socket } = await connected();
    expect(await socket.timeout(1000).emitWithAck('measure', 'hello')).toEqual({ length: 5 });
    expect(await socket.timeout(1000).emitWithAck('measure', 42)).toEqual({
      error: 'measure takes a string',
    });
  });

  it('logs the tally of what a socket sent, and why it left', async () => {
    const { lines, socket } = await connected();
    socket.send('a');
    socket.send('b');
    await socket.timeout(1000).emitWithAck('measure', 'c');
    const id = socket.id;
    socket.disconnect();
    await expect
      .poll(() => lines)
      .toContainEqual(
        `${id} left (client namespace disconnect) having sent message ×2, measure ×1`,
      );
  });
});

describe.concurrent('the text-tools example asks each client for its clock', () => {
  it('logs the answer', async (context) => {
    const kit = kitFor(context);
    const { lines, socket } = await connected({}, kit);
    await expect.poll(() => lines).toContainEqual(`${socket.id}'s clock says 12:00`);
  });

  it('logs that no answer came, when the client does not answer in time', async (context) => {
    const kit = kitFor(context);
    const lines: string[] = [];
    const lesson = await kit.startLesson(createTextTools, {
      log: (line: string) => lines.push(line),
      clockTimeoutMs: 20,
    });
    const socket = kit.createClient(lesson, { transport: 'websocket' });
    await nextEvent(socket, 'clock'); // asked, never answered
    await expect.poll(() => lines).toContainEqual(`${socket.id} kept its clock to itself`);
  });
});
