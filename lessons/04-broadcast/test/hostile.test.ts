import { fileURLToPath } from 'node:url';
// Each attack goes to the lesson's real server.ts, running as a process of its
// own, and each test then proves that the server still serves everyone else.
import { closeAll, connect, nextEvent } from '@lessons/test-kit';
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
import type { ClientToServerEvents, News, ServerToClientEvents, Shout } from '#target/events.ts';
import { ask, type Client } from './scene.ts';

const server = useServer(fileURLToPath(new URL('..', import.meta.url)));
afterEach(closeAll);

const as = (running: ServerProcess, name: string): Promise<Client> =>
  connect<ServerToClientEvents, ClientToServerEvents>(running, {
    query: { name },
    transport: 'websocket',
  });

/** The process still runs, serves the demo page, and a new client's shout reaches another. */
async function expectStillServing(running: ServerProcess) {
  expect(isRunning(running), 'the server process still runs').toBe(true);
  const page = await fetch(running.url);
  expect(page.status, 'GET / answered').toBe(200);
  expect(await page.text()).toContain('<h1>Who receives?</h1>');
  const [ana, ben] = await Promise.all([as(running, 'ana'), as(running, 'ben')]);
  const news = nextEvent<[News]>(ben, 'news', WAIT_MS);
  const shout: Shout = { target: 'others', text: 'still here' };
  expect(
    await ask(ana, 'ana', 'shout', shout),
    "a new client's shout to the others answered",
  ).toEqual({ ok: true });
  expect(await news, 'the news ben received from it').toEqual([
    { from: 'ana', target: 'others', text: 'still here' },
  ]);
}

describe('a hostile client', () => {
  it('cannot end the server with a shout whose target is an object', async () => {
    const running = await server();
    const eve = await as(running, 'eve');
    // `unknown target "${target}"` calls target.toString(): here, not a function.
    const attack = { target: { toString: 1 } as unknown as 'all', text: 'hi' };
    expect(
      await beforeExit(running, ask(eve, 'eve', 'shout', attack)),
      "eve's shout with target { toString: 1 } should be refused with 'targets are 1 to 20 characters'",
    ).toEqual({
      error: 'targets are 1 to 20 characters',
    });
    await expectStillServing(running);
  });

  it('cannot end the server with a shout whose text is nested 20,000 arrays deep', async (context) => {
    const running = await server();
    // socket.io-client would overflow its own stack encoding this: write the frame by hand.
    const eve = await rawSocket(running, { name: 'eve' }, context);
    const attack = `{"target":"self","text":${DEEP}}`;
    expect(
      await beforeExit(running, rawAsk(eve, 'shout', attack)),
      `eve's shout ${attack.slice(0, 30)}… should be refused with 'texts are 1 to 500 characters'`,
    ).toEqual({
      error: 'texts are 1 to 500 characters',
    });
    await expectStillServing(running);
  });
  it('gets { error: "malformed message" } for a shout of null, has a join without an acknowledgement dropped, and carries on', async () => {
    const running = await server();
    // Untyped: the event maps would refuse what eve sends.
    const eve = await connect(running, { query: { name: 'eve' }, transport: 'websocket' });
    // A handler that destructures null, or calls a missing acknowledgement, throws.
    expect(
      await beforeExit(running, ask(eve, 'eve', 'shout', null)),
      `eve's shout(null) should be refused with 'malformed message'`,
    ).toEqual({
      error: 'malformed message',
    });
    eve.emit('join', 'attic'); // no acknowledgement: dropped
    const still: Shout = { target: 'self', text: 'still here' };
    expect(
      await beforeExit(running, ask(eve, 'eve', 'shout', still)),
      "eve's next shout answered",
    ).toEqual({
      ok: true,
    });
    // The server handles one socket's messages in order: the join came before.
    expect(
      await beforeExit(running, ask(eve, 'eve', 'join', 'porch')),
      "eve's rooms after the dropped join('attic') and a join('porch')",
    ).toEqual({ rooms: ['porch'] });
    await expectStillServing(running);
  });

  it('gets { error: "malformed message" } for a shout with an extra argument, which no one receives', async () => {
    const running = await server();
    const [eve, ben] = await Promise.all([as(running, 'eve'), as(running, 'ben')]);
    const heard: Record<'eve' | 'ben', News[]> = { eve: [], ben: [] };
    eve.on('news', (news) => heard.eve.push(news));
    ben.on('news', (news) => heard.ben.push(news));
    // The extra argument stands where a handler expects the acknowledgement.
    const attack = [{ target: 'all', text: 'hi' }, 'more'];
    expect(
      await beforeExit(running, ask(eve, 'eve', 'shout', ...attack)),
      `eve's shout(${attack.map((arg) => JSON.stringify(arg)).join(', ')}) should be refused with 'malformed message'`,
    ).toEqual({ error: 'malformed message' });

    // A fence: one connection's packets arrive in order, so once this news has
    // reached both, anything the attack sent would have reached them before it.
    const fence: Shout = { target: 'all', text: 'fence' };
    const fenced = [nextEvent(eve, 'news', WAIT_MS), nextEvent(ben, 'news', WAIT_MS)];
    expect(
      await beforeExit(running, ask(eve, 'eve', 'shout', fence)),
      "eve's fence shout answered",
    ).toEqual({ ok: true });
    await Promise.all(fenced);
    const fenceNews = { from: 'eve', target: 'all', text: 'fence' };
    expect(heard, 'the news eve and ben received: the fence only').toEqual({
      eve: [fenceNews],
      ben: [fenceNews],
    });
    await expectStillServing(running);
  });
});
