import { fileURLToPath } from 'node:url';
// Each attack goes to the lesson's real server.ts, running as a process of its
// own, and each test then proves that the server still serves everyone else.
import { closeAll, nextEvent } from '@lessons/test-kit';
import {
  beforeExit,
  DEEP_JSON as DEEP,
  isRunning,
  rawAsk,
  rawSocket,
  type ServerProcess,
  useServer,
  WAIT_MS,
} from '@lessons/test-kit/server-process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Said, Whispered } from '#target/events.ts';
import { ask, expectReply, person, show } from './people.ts';

const server = useServer(fileURLToPath(new URL('..', import.meta.url)));
afterEach(closeAll);

/** The process still runs, serves the demo page, and two new clients can talk in a room. */
async function expectStillServing(running: ServerProcess) {
  expect(isRunning(running), 'the server.ts process is running').toBe(true);
  const page = await fetch(running.url);
  expect(page.status, 'the status of GET /').toBe(200);
  expect(await page.text()).toContain('<h1>Rooms</h1>');
  const [ana, ben] = await Promise.all([
    person(running, 'ana', 'attic'),
    person(running, 'ben', 'attic'),
  ]);
  const said = nextEvent<[Said]>(ben, 'said', WAIT_MS);
  await expectReply(ana, 'say', [{ room: 'attic', text: 'still here' }], { ok: true });
  expect(await said, 'what ben received as "said"').toEqual([
    { from: 'ana', room: 'attic', text: 'still here' },
  ]);
}

/** What the server answered `attack`, named in a failure; rejects when the server exits first. */
async function answerTo(running: ServerProcess, attack: string, answer: Promise<unknown>) {
  const reply = await beforeExit(running, answer);
  return { reply, said: `${attack} answered ${show(reply)}` };
}

describe('a hostile client', () => {
  it('cannot end the server with a whisper whose to is an object', async () => {
    const running = await server();
    const eve = await person(running, 'eve');
    // `user:${to}` turns `to` into a string, which calls to.toString(): here, not a function.
    const attack = { to: { toString: 1 } as unknown as string, text: 'psst' };
    const { reply, said } = await answerTo(
      running,
      'whisper({ to: { toString: 1 } })',
      ask(eve).emitWithAck('whisper', attack),
    );
    expect(reply, said).toEqual({ error: 'names are 1 to 40 characters' });
    await expectStillServing(running);
  });

  it('cannot end the server with a say whose text is nested 20,000 arrays deep', async (context) => {
    const running = await server();
    // socket.io-client would overflow its own stack encoding this: write the frame by hand.
    const eve = await rawSocket(running, { name: 'eve' }, context);
    const attack = `{"room":"lobby","text":${DEEP}}`;
    const { reply, said } = await answerTo(
      running,
      'say with a text 20,000 arrays deep',
      rawAsk(eve, 'say', attack),
    );
    expect(reply, said).toEqual({ error: 'texts are 1 to 500 characters' });
    await expectStillServing(running);
  });

  it('cannot end the server with a whisper whose text is nested 20,000 arrays deep', async (context) => {
    const running = await server();
    const eve = await rawSocket(running, { name: 'eve' }, context);
    const attack = `{"to":"eve","text":${DEEP}}`;
    const { reply, said } = await answerTo(
      running,
      'whisper with a text 20,000 arrays deep',
      rawAsk(eve, 'whisper', attack),
    );
    expect(reply, said).toEqual({ error: 'texts are 1 to 500 characters' });
    await expectStillServing(running);
  });
});

describe('a name', () => {
  it('is a claim, not an identity: connecting as another person reads their whispers', async () => {
    const running = await server();
    const ana = await person(running, 'ana');
    const ben = await person(running, 'ben');
    const mallory = await person(running, 'ana');
    // The user: rule refuses her the room by join, but the handshake puts her in it.
    await expectReply(mallory, 'join', ['user:ana'], {
      error: 'rooms starting with "user:" are reserved',
    });
    const whispers = [ana, mallory].map((tab) => nextEvent<[Whispered]>(tab, 'whispered'));
    await expectReply(ben, 'whisper', [{ to: 'ana', text: 'the code is 1234' }], { ok: true });
    const whisper: Whispered = { from: 'ben', text: 'the code is 1234' };
    expect(await Promise.all(whispers), 'what ana and mallory (as ana) received').toEqual([
      [whisper],
      [whisper],
    ]);
  });
});
