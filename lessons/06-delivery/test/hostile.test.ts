// Each attack goes to the lesson's real server.ts, running as a process of its own,
// and each test then proves that the server still serves everyone else.
import { fileURLToPath } from 'node:url';
import { kitFor } from '@lessons/test-kit';
import {
  beforeExit,
  DEEP_JSON as DEEP,
  frame,
  isRunning,
  type ServerProcess,
  useServer,
} from '@lessons/test-kit/server-process';
import { describe, expect, it, type TestContext } from 'vitest';
import WebSocket from 'ws';
import { client, connected, inbox, say } from './helpers.ts';

const server = useServer(fileURLToPath(new URL('..', import.meta.url)));

/** An Engine.IO WebSocket to the server, closed when the test finishes, opened but not CONNECTed. */
async function engineSocket(running: ServerProcess, context: TestContext): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${running.port}/socket.io/?EIO=4&transport=websocket`);
  ws.on('error', () => {});
  context.onTestFinished(() => ws.terminate());
  await frame(ws, '0{');
  return ws;
}

/** CONNECT with `authJson`, written by hand; resolves with the server's answer frame. */
async function connectWith(ws: WebSocket, authJson: string): Promise<string> {
  const answer = frame(ws, '4');
  ws.send(`40${authJson}`);
  return answer;
}

/** Ana and Ben, connected to the process, can still chat in general. */
async function expectStillServing(running: ServerProcess, context: TestContext) {
  expect(isRunning(running), 'the server.ts process is running').toBe(true);
  const kit = kitFor(context);
  const [ana, ben] = [client(kit, running, 'ana'), client(kit, running, 'ben')];
  await Promise.all([connected(ana.socket), connected(ben.socket)]);
  for (const chat of [ana, ben]) await chat.socket.timeout(1000).emitWithAck('join', 'general');
  const received = inbox(ben.socket);
  const reply = await beforeExit(
    running,
    say(ana, { room: 'general', id: `still-${Date.now()}`, text: 'still here' }),
  );
  expect(reply, 'ana’s chat after the attack').toMatchObject({ duplicate: false });
  await received.until(1, 'ben, after the attack');
}

describe('hostile chat messages', () => {
  it('answers { error } to chat frames of every wrong shape, and carries on', async (context) => {
    const running = await server();
    const ws = await engineSocket(running, context);
    expect(await connectWith(ws, '{"token":"token-ana"}'), 'the answer to CONNECT').toMatch(
      /^40\{/,
    );
    const attacks = [
      `{"room":"general","id":"a","text":${DEEP}}`,
      `{"room":"general","id":{"toString":1},"text":"x"}`,
      `{"room":"general","id":"${'x'.repeat(100_000)}","text":"x"}`,
      `{"room":${DEEP},"id":"a","text":"x"}`,
      '"just a string"',
      'null',
    ];
    for (const [n, attack] of attacks.entries()) {
      const answer = frame(ws, `43${n}[`);
      ws.send(`42${n}["chat",${attack}]`);
      const reply = JSON.parse((await beforeExit(running, answer)).slice(`43${n}`.length));
      expect(reply, `the answer to chat ${attack.slice(0, 60)}`).toEqual([
        { error: expect.any(String) },
      ]);
    }
    // No acknowledgement: nobody to answer, so the server drops it.
    ws.send('42["chat",{"room":"general","id":"a","text":"x"}]');
    // A flood: 1,000 chats at once, each answered (in a few ms; a busy machine may take seconds).
    const last = frame(ws, '43999[', 5000);
    for (let n = 0; n < 1000; n++)
      ws.send(`42${n}["chat",{"room":"general","id":"f${n}","text":"x"}]`);
    expect(await beforeExit(running, last), 'the answer to the last of 1,000 chats').toMatch(
      /error/,
    );
    await expectStillServing(running, context);
  }, 15_000);
});

describe('hostile offsets', () => {
  it('refuses a CONNECT whose serverOffset is not a whole number of 0 or more, and carries on', async (context) => {
    const running = await server();
    for (const offset of ['-1', '1e308', '"1 OR 1=1"', '{"$gt":0}', '[1]', '0.5', DEEP]) {
      const ws = await engineSocket(running, context);
      const answer = await beforeExit(
        running,
        connectWith(ws, `{"token":"token-ana","serverOffset":${offset}}`),
      );
      expect(answer, `the answer to CONNECT with serverOffset ${offset.slice(0, 20)}`).toBe(
        '44{"message":"serverOffset must be a whole number, 0 or more"}',
      );
    }
    await expectStillServing(running, context);
  });
});
