// Facts about Engine.IO v4 and Socket.IO v5 on the wire, proved against the
// lesson's real Socket.IO server (4.8) with fetch and a raw ws WebSocket.
import { once } from 'node:events';
import { type Kit, kitFor, nextEvent } from '@lessons/test-kit';
import { frame } from '@lessons/test-kit/server-process';
import { describe, expect, it, type TestContext } from 'vitest';
import WebSocket from 'ws';
import { type AppOptions, createApp } from '#target/app.ts';

const EIO = '/socket.io/?EIO=4';
const SEPARATOR = '\x1e';

async function lessonOn(context: TestContext, options: AppOptions = {}) {
  const kit: Kit = kitFor(context);
  const lesson = await kit.startLesson(createApp, options);
  /** GET or POST one long-polling request; the body as text. */
  const poll = async (query: string, body?: string) => {
    const response = await fetch(`${lesson.url}${EIO}&transport=polling${query}`, {
      method: body === undefined ? 'GET' : 'POST',
      body,
    });
    return { status: response.status, text: await response.text() };
  };
  /** A raw WebSocket, terminated when the test finishes. */
  const socket = (query = '') => {
    const ws = new WebSocket(
      `${lesson.url.replace('http', 'ws')}${EIO}&transport=websocket${query}`,
    );
    ws.on('error', () => {});
    context.onTestFinished(() => ws.terminate());
    return ws;
  };
  /** A long-polling session: its sid, from the open packet. */
  const session = async () => {
    const { text } = await poll('');
    return (JSON.parse(text.slice(1)) as { sid: string }).sid;
  };
  return { lesson, poll, socket, session };
}

describe.concurrent('Engine.IO v4', () => {
  it('opens with 0 and JSON: sid, upgrades, pingInterval, pingTimeout, maxPayload', async (context) => {
    const { poll, socket } = await lessonOn(context);
    const { text } = await poll('');
    expect(text.charAt(0)).toBe('0');
    expect(JSON.parse(text.slice(1))).toEqual({
      sid: expect.any(String),
      upgrades: ['websocket'], // polling may upgrade
      pingInterval: 25000,
      pingTimeout: 20000,
      maxPayload: 1000000,
    });
    const open = await frame(socket(), '0{');
    expect(JSON.parse(open.slice(1)).upgrades, 'on WebSocket, nothing to upgrade to').toEqual([]);
  });

  it('the server pings (2) and the client pongs (3); a client that pings is closed', async (context) => {
    const { socket } = await lessonOn(context, { pingInterval: 30, pingTimeout: 200 });
    const ws = socket();
    await frame(ws, '0{');
    expect((await once(ws, 'message'))[0].toString(), 'the frame after pingInterval').toBe('2');
    ws.send('3');
    const pinger = socket();
    await frame(pinger, '0{');
    pinger.send('2'); // the v3 direction: the server takes it as a protocol error
    await once(pinger, 'close');
  });

  it('batches long-polling packets with the record separator \\x1e', async (context) => {
    const { lesson, poll, session } = await lessonOn(context);
    const sid = await session();
    const connected = nextEvent(lesson.io.of('/chat'), 'connection');
    // Two packets in one POST: a CONNECT to "/", then one to /chat. (An EVENT
    // to /chat there would close the session: the CONNECT is not done yet.)
    const post = await poll(`&sid=${sid}`, `40${SEPARATOR}40/chat,{"name":"ana"}`);
    expect(post).toEqual({ status: 200, text: 'ok' });
    const [chatSocket] = (await connected) as [{ emit: (...args: unknown[]) => void }];
    chatSocket.emit('one');
    chatSocket.emit('two');
    const { text } = await poll(`&sid=${sid}`);
    expect(text.split(SEPARATOR)).toEqual([
      expect.stringMatching(/^40\{"sid":"[^"]+"\}$/),
      expect.stringMatching(/^40\/chat,\{"sid":"[^"]+"\}$/),
      '42/chat,["one"]',
      '42/chat,["two"]',
    ]);
  });

  it('sends binary as b + base64 on polling, as a raw binary frame on WebSocket', async (context) => {
    const { lesson, poll, session, socket } = await lessonOn(context);
    const sid = await session();
    const connected = nextEvent(lesson.io, 'connection');
    await poll(`&sid=${sid}`, '40');
    const [polling] = (await connected) as [{ emit: (...args: unknown[]) => void }];
    await poll(`&sid=${sid}`); // the CONNECT answer
    polling.emit('bytes', Buffer.from([1, 2, 3, 4]));
    expect((await poll(`&sid=${sid}`)).text.split(SEPARATOR)).toEqual([
      '451-["bytes",{"_placeholder":true,"num":0}]',
      'bAQIDBA==',
    ]);

    const ws = socket();
    await frame(ws, '0{');
    const viaWs = nextEvent(lesson.io, 'connection');
    ws.send('40');
    await frame(ws, '40{');
    const [websocket] = (await viaWs) as [{ emit: (...args: unknown[]) => void }];
    const header = frame(ws, '451-');
    const binary = new Promise<Buffer>((resolve) =>
      ws.on('message', (data, isBinary) => isBinary && resolve(data as Buffer)),
    );
    websocket.emit('bytes', Buffer.from([1, 2, 3, 4]));
    expect(await header).toBe('451-["bytes",{"_placeholder":true,"num":0}]');
    expect([...(await binary)]).toEqual([1, 2, 3, 4]);
  });

  it('upgrades: 2probe, 3probe, a 6 (noop) to the pending poll, then 5', async (context) => {
    const { poll, session, socket } = await lessonOn(context);
    const sid = await session();
    const pending = poll(`&sid=${sid}`); // a GET the server holds open
    const ws = socket(`&sid=${sid}`);
    await once(ws, 'open');
    const probe = frame(ws, '3');
    ws.send('2probe'); // the client sends the probe, the server answers
    expect(await probe).toBe('3probe');
    expect(await pending, 'the pending poll, ended by the server').toEqual({
      status: 200,
      text: '6',
    });
    ws.send('5');
    ws.send('40');
    expect(await frame(ws, '40')).toMatch(/^40\{"sid":/);
  });
});

describe.concurrent('errors on the wire', () => {
  it('an unknown sid: 400 {"code":1,"message":"Session ID unknown"}', async (context) => {
    const { poll } = await lessonOn(context);
    expect(await poll('&sid=bogus')).toEqual({
      status: 400,
      text: '{"code":1,"message":"Session ID unknown"}',
    });
  });

  it('a client that never pongs is closed with "ping timeout" after pingInterval + pingTimeout', async (context) => {
    // Long enough that a busy machine still connects the socket before the timeout ends it.
    const { lesson, socket } = await lessonOn(context, { pingInterval: 100, pingTimeout: 200 });
    // Timed from before the request: the server starts its timers when it sends the open
    // packet, which a busy machine may hand to this client many milliseconds later.
    const requested = performance.now();
    const ws = socket();
    const connected = nextEvent(lesson.io, 'connection', 5000);
    await frame(ws, '0{');
    ws.send('40');
    const [serverSide] = (await connected) as [{ on: (...args: unknown[]) => void }];
    const [reason] = await nextEvent<[string]>(serverSide as never, 'disconnect', 5000);
    expect(reason).toBe('ping timeout');
    expect(performance.now() - requested).toBeGreaterThanOrEqual(300 - 5);
  });

  it('a WebSocket that never sends 40 gets no connection event, and is closed after connectTimeout', async (context) => {
    const { lesson, socket } = await lessonOn(context, { connectTimeout: 100 });
    let connections = 0;
    lesson.io.on('connection', () => {
      connections += 1;
    });
    const ws = socket();
    await frame(ws, '0{');
    await once(ws, 'close');
    expect(connections).toBe(0);
  });

  it('an EIO=3 client: 400 {"code":5,"message":"Unsupported protocol version"}', async (context) => {
    const { lesson } = await lessonOn(context);
    const response = await fetch(`${lesson.url}/socket.io/?EIO=3&transport=polling`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ code: 5, message: 'Unsupported protocol version' });
  });

  it('a WebSocket request stripped of its Upgrade headers, as a proxy may send it: 400 code 3', async (context) => {
    const { lesson, session } = await lessonOn(context);
    const errors: { code: number; context: { name: string } }[] = [];
    lesson.io.engine.on('connection_error', (error) => errors.push(error));
    // fetch sends a plain GET: no Connection: Upgrade, no Upgrade: websocket.
    const opening = await fetch(`${lesson.url}${EIO}&transport=websocket`);
    expect(opening.status).toBe(400);
    expect(await opening.json()).toEqual({ code: 3, message: 'Bad request' });
    const sid = await session();
    const upgrading = await fetch(`${lesson.url}${EIO}&transport=websocket&sid=${sid}`);
    expect(await upgrading.json()).toEqual({ code: 3, message: 'Bad request' });
    expect(errors.map((error) => error.context.name)).toEqual([
      'TRANSPORT_HANDSHAKE_ERROR',
      'TRANSPORT_MISMATCH',
    ]);
  });
});

describe.concurrent('Socket.IO v5 on the wire', () => {
  it('answers a CONNECT to a namespace it refuses with CONNECT_ERROR, and one it lacks with "Invalid namespace"', async (context) => {
    const { socket } = await lessonOn(context);
    const ws = socket();
    await frame(ws, '0{');
    const refused = frame(ws, '44/chat,');
    ws.send('40/chat,{}');
    expect(await refused).toBe('44/chat,{"message":"name required"}');
    const unknown = frame(ws, '44/nowhere,');
    ws.send('40/nowhere,');
    expect(await unknown).toBe('44/nowhere,{"message":"Invalid namespace"}');
  });

  it('ends a namespace on DISCONNECT (41/chat,): "client namespace disconnect"', async (context) => {
    const { lesson, socket } = await lessonOn(context);
    const ws = socket();
    await frame(ws, '0{');
    const connected = nextEvent(lesson.io.of('/chat'), 'connection');
    ws.send('40/chat,{"name":"ana"}');
    const [serverSide] = (await connected) as [never];
    const left = nextEvent<[string]>(serverSide, 'disconnect');
    ws.send('41/chat,');
    expect((await left)[0]).toBe('client namespace disconnect');
  });

  it('closes the connection on a malformed packet, and the server goes on', async (context) => {
    const { lesson, socket } = await lessonOn(context);
    // Bounded: 40 hostile frames, each on a connection of its own.
    const hostile = ['4abc', '42{}', '42abc["x"]', '4599999999999-["x"]', `42${'['.repeat(5000)}`];
    for (let round = 0; round < 8; round += 1) {
      for (const text of hostile) {
        const ws = socket();
        await frame(ws, '0{');
        ws.send('40');
        await frame(ws, '40{');
        ws.send(text);
        await once(ws, 'close');
      }
    }
    const ws = socket();
    await frame(ws, '0{');
    ws.send('40');
    expect(await frame(ws, '40{')).toMatch(/^40\{"sid"/);
    expect(lesson.httpServer.listening).toBe(true);
  });
});
