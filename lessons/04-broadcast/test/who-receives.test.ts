import { closeAll, nextEvent, startLesson } from '@lessons/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '#target/app.ts';
import { deliveries, send, setScene } from './scene.ts';
import { DISCONNECTS, EMITS, PEOPLE, type Row, SENDER, SERVER_NEWS } from './who-receives.ts';

afterEach(closeAll);

// [call, reaches, row]: %s prints the strings as they are, where $call would quote them.
const cases = (rows: Row[]) => rows.map((row) => [row.call, row.reaches, row] as const);

const once = (receivers: readonly string[]) =>
  Object.fromEntries(PEOPLE.map((name) => [name, receivers.includes(name) ? 1 : 0]));

// The scene: ana in red, ben in red and blue, cat in blue, dan in no room (ROOMS).
describe('who receives what ana sends, in a scene of four clients and two rooms', () => {
  it.each(cases(EMITS))('%s reaches %s', async (_call, _reaches, row) => {
    const lesson = await startLesson(createApp);
    const { clients, scene } = await setScene(lesson);
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

describe('who is disconnected, in the same scene', () => {
  it.each(cases(DISCONNECTS))('%s ends %s', async (_call, _reaches, row) => {
    const lesson = await startLesson(createApp);
    const { clients, scene } = await setScene(lesson);
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
