import { fileURLToPath } from 'node:url';
// Each attack goes to the lesson's real server.ts, running as a process of its
// own, and each test then proves that the server still serves everyone else.
import { closeAll, connect, DEFAULT_TIMEOUT_MS, nextEvent } from '@lessons/test-kit';
import {
  beforeExit,
  isRunning,
  rawAsk,
  rawSocket,
  type ServerProcess,
  useServer,
  WAIT_MS,
} from '@lessons/test-kit/server-process';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, News, ServerToClientEvents, Shout } from '#target/events.ts';
import type { Client } from './scene.ts';

/** 20,000 arrays, each inside the one before: 40 KB of JSON, far under Socket.IO's 1 MB limit. */
const DEEP = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;

const server = useServer(fileURLToPath(new URL('..', import.meta.url)));
afterEach(closeAll);

const as = (running: ServerProcess, name: string): Promise<Client> =>
  connect<ServerToClientEvents, ClientToServerEvents>(running, {
    query: { name },
    transport: 'websocket',
  });

/** The process still runs, serves the demo page, and a new client's shout reaches another. */
async function expectStillServing(running: ServerProcess) {
  expect(isRunning(running)).toBe(true);
  const page = await fetch(running.url);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<h1>Who receives?</h1>');
  const [ana, ben] = await Promise.all([as(running, 'ana'), as(running, 'ben')]);
  const news = nextEvent<[News]>(ben, 'news', WAIT_MS);
  const shout: Shout = { target: 'others', text: 'still here' };
  expect(await ana.timeout(WAIT_MS).emitWithAck('shout', shout)).toEqual({ ok: true });
  expect(await news).toEqual([{ from: 'ana', target: 'others', text: 'still here' }]);
}

describe('a hostile client', () => {
  it('cannot end the server with a shout whose target is an object', async () => {
    const running = await server();
    const eve = await as(running, 'eve');
    // `unknown target "${target}"` calls target.toString(): here, not a function.
    const attack = { target: { toString: 1 } as unknown as 'all', text: 'hi' };
    const reply = eve.timeout(DEFAULT_TIMEOUT_MS).emitWithAck('shout', attack);
    expect(await beforeExit(running, reply)).toEqual({ error: 'targets are 1 to 20 characters' });
    await expectStillServing(running);
  });

  it('cannot end the server with a shout whose text is nested 20,000 arrays deep', async (context) => {
    const running = await server();
    // socket.io-client would overflow its own stack encoding this: write the frame by hand.
    const eve = await rawSocket(running, { name: 'eve' }, context);
    const attack = `{"target":"self","text":${DEEP}}`;
    expect(await beforeExit(running, rawAsk(eve, 'shout', attack))).toEqual({
      error: 'texts are 1 to 500 characters',
    });
    await expectStillServing(running);
  });
});
