// The worked example's tests: not graded.
import { createServer } from 'node:http';
import { kitFor, nextEvent } from '@lessons/test-kit';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createScoreboard, device, type Score } from '../../examples/scoreboard.ts';

async function start(context: Parameters<typeof kitFor>[0]) {
  const kit = kitFor(context);
  let handshakes = () => 0;
  const lesson = await kit.startLesson(() => {
    const httpServer = createServer();
    const board = createScoreboard(httpServer);
    handshakes = board.handshakes;
    return { app: express(), httpServer, io: board.io };
  });
  const player = (id: string) =>
    kit.connect(lesson, { transport: 'websocket', auth: { device: id } });
  return { kit, lesson, player, handshakes: () => handshakes() };
}

describe.concurrent('the scoreboard example', () => {
  it('counts a score once, however often its request id arrives', async (context) => {
    const { player } = await start(context);
    const red = await player('device-1');
    const request = { requestId: 'r1', points: 3 };
    const first = await red.timeout(1000).emitWithAck('score', request);
    const again = await red.timeout(1000).emitWithAck('score', request);
    expect(again, 'the answer to the resend').toEqual(first);
    const since = await red.timeout(1000).emitWithAck('since', 0);
    expect(since, 'the log after version 0').toEqual([{ version: 1, team: 'red', points: 3 }]);
  });

  it('counts the same request id from two devices twice: the key is the device and the id', async (context) => {
    const { player } = await start(context);
    const [red1, red2] = await Promise.all([player('device-1'), player('device-2')]);
    const request = { requestId: 'r1', points: 2 };
    const one = await red1.timeout(1000).emitWithAck('score', request);
    const two = await red2.timeout(1000).emitWithAck('score', request);
    expect([one, two], 'the answers to device-1 and device-2').toEqual([
      { version: 1, team: 'red', points: 2 },
      { version: 2, team: 'red', points: 2 },
    ]);
  });

  it('sends each score to the scorer’s team only, and answers since with the team’s later scores', async (context) => {
    const { player } = await start(context);
    const [red1, red2, blue] = await Promise.all([
      player('device-1'),
      player('device-2'),
      player('device-3'),
    ]);
    const scored = nextEvent<[Score]>(red2, 'scored');
    await blue.timeout(1000).emitWithAck('score', { requestId: 'b1', points: 1 });
    await red1.timeout(1000).emitWithAck('score', { requestId: 'r1', points: 2 });
    expect((await scored)[0], 'what red2 heard').toEqual({ version: 2, team: 'red', points: 2 });
    expect(await red2.timeout(1000).emitWithAck('since', 1), 'red’s scores after 1').toEqual([
      { version: 2, team: 'red', points: 2 },
    ]);
  });

  it('welcomes back a recovered device without running the middleware again', async (context) => {
    const { lesson, player, handshakes } = await start(context);
    const red = await player('device-1');
    const other = await player('device-2');
    const scored = nextEvent(red, 'scored'); // so that red has an offset to recover from
    await other.timeout(1000).emitWithAck('score', { requestId: 'r1', points: 1 });
    await scored;
    const down = nextEvent(red, 'disconnect');
    lesson.io
      .of('/')
      .sockets.get(red.id ?? '')
      ?.conn.close();
    await down;
    const notice = nextEvent<[string]>(red, 'notice');
    red.connect();
    expect((await notice)[0], 'the notice of a recovered socket').toBe('welcome back');
    expect(red.recovered, 'socket.recovered').toBe(true);
    expect(handshakes(), 'middleware runs: two devices, one recovery').toBe(2);
  });

  it('gives device() scores that resolve with their entry', async (context) => {
    const { lesson } = await start(context);
    const player = device(lesson.url, 'device-3');
    context.onTestFinished(() => {
      player.socket.close();
    });
    expect(await player.score(5), 'the entry of a score').toEqual({
      version: 1,
      team: 'blue',
      points: 5,
    });
  });
});
