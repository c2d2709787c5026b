import {
  closeAll,
  DEFAULT_TIMEOUT_MS,
  type Kit,
  kitFor,
  nextEvent,
  noEvent,
  startLesson,
} from '@lessons/test-kit';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '#target/app.ts';
import { expectOneServer, start } from './helpers.ts';

afterEach(closeAll);

/** What a GET answered: its status, its content type, and its body. */
async function get(url: string) {
  const response = await fetch(url);
  const text = await response.text();
  const type = response.headers.get('content-type') ?? 'no content type';
  // An HTML error page, such as Express's 404, reads best without its tags.
  const body = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80);
  const said = `GET ${new URL(url).pathname} answered ${response.status} (${type}): ${body}`;
  return { status: response.status, type, text, said };
}

/** `text` parsed as JSON, or `text` itself when it is not JSON, so a failure shows what came. */
function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

describe('one http.Server for Express and Socket.IO', () => {
  it('createApp() returns an Express app, the http.Server it runs on, and a Socket.IO server, without listening', () => {
    const { app, httpServer, io } = createApp();
    expect(typeof app, 'createApp() returns { app }: an Express app is a function').toBe(
      'function',
    );
    expect(httpServer.listening, 'createApp() opens no port: is httpServer listening?').toBe(false);
    expectOneServer(io, httpServer);
    io.close();
  });

  it('serves the browser client at /socket.io/socket.io.min.js, from the same port', async () => {
    const lesson = await start(startLesson);
    const client = await get(`${lesson.url}/socket.io/socket.io.min.js`);
    expect(client.status, client.said).toBe(200);
    expect(client.type, client.said).toMatch(/javascript/);
    expect(client.text.length, 'the length of the client script').toBeGreaterThan(10_000);
  });

  it('answers a Socket.IO handshake on /socket.io/ that Express never sees', async () => {
    const lesson = await start(startLesson);
    const handshake = await get(`${lesson.url}/socket.io/?EIO=4&transport=polling`);
    expect(handshake.status, handshake.said).toBe(200);
    // Engine.IO's open packet: "0" then the session as JSON.
    expect(handshake.text, 'the handshake opens with Engine.IO\'s "0{"sid":…').toMatch(
      /^0\{"sid":"/,
    );
  });

  it('lets Express answer unknown routes with 404 on the same port', async () => {
    const lesson = await start(startLesson);
    const unknown = await get(`${lesson.url}/no-such-page`);
    expect(unknown.status, unknown.said).toBe(404);
  });
});

describe('the Express app', () => {
  it('answers GET /health with 200 and { ok: true }', async () => {
    const lesson = await start(startLesson);
    const health = await get(`${lesson.url}/health`);
    expect(health.status, health.said).toBe(200);
    expect(json(health.text), `the body of ${health.said}`).toEqual({ ok: true });
  });

  it('serves the demo page at GET /, which loads the client from /socket.io/', async () => {
    const lesson = await start(startLesson);
    const page = await get(lesson.url);
    expect(page.status, page.said).toBe(200);
    expect(page.type, page.said).toMatch(/text\/html/);
    expect(page.text, 'the page at GET / is public/index.html').toContain(
      '<script src="/socket.io/socket.io.min.js">',
    );
  });
});

/** The next `welcome` on `socket`, or a failure that says what to check. */
async function welcomeOn(socket: Socket): Promise<{ id?: unknown }> {
  const [welcome] = await nextEvent<[{ id?: unknown }]>(socket, 'welcome').catch((error) => {
    throw new Error(
      `no welcome arrived: does io.on('connection', …) emit 'welcome' to each new socket? (${error.message})`,
    );
  });
  return welcome;
}

/** Starts the lesson on the test's own kit, and connects one client. */
async function connectTo(kit: Kit, options: Parameters<Kit['createClient']>[1] = {}) {
  const lesson = await start((create) => kit.startLesson(create));
  return { lesson, socket: kit.createClient(lesson, options) };
}

// Each test waits for a welcome that a server may never send: with a kit each, they wait side by side.
describe.concurrent('welcome', () => {
  it('greets a socket over HTTP long-polling with its own socket.id', async (context) => {
    const { socket } = await connectTo(kitFor(context), { transport: 'polling' });
    const welcome = await welcomeOn(socket);
    expect(welcome?.id, `welcome.id, in ${JSON.stringify(welcome)}`).toBe(socket.id);
    expect(socket.io.engine.transport.name, 'the transport').toBe('polling');
  });

  it('greets a socket over WebSocket only with its own socket.id', async (context) => {
    const { socket } = await connectTo(kitFor(context), { transport: 'websocket' });
    const welcome = await welcomeOn(socket);
    expect(welcome?.id, `welcome.id, in ${JSON.stringify(welcome)}`).toBe(socket.id);
    expect(socket.io.engine.transport.name, 'the transport').toBe('websocket');
  });

  it('greets a socket on the default path, which starts with polling and upgrades to WebSocket', async (context) => {
    const { socket } = await connectTo(kitFor(context));
    // The upgrade takes several round trips after the handshake (the probe, then the switch): on a
    // busy machine that is more than one default wait, and a server that never greets fails on the
    // welcome first, so the longer wait costs a failing run nothing.
    const upgrade = nextEvent<[{ name: string }]>(
      socket.io.engine,
      'upgrade',
      5 * DEFAULT_TIMEOUT_MS,
    );
    upgrade.catch(() => {}); // awaited below: handled now, in case the welcome fails first
    const welcome = await welcomeOn(socket);
    expect(welcome?.id, `welcome.id, in ${JSON.stringify(welcome)}`).toBe(socket.id);
    const [transport] = await upgrade;
    expect(transport.name, 'the transport the client upgraded to').toBe('websocket');
  });

  it('gives every connection its own id', async (context) => {
    const kit = kitFor(context);
    const { lesson, socket: first } = await connectTo(kit);
    const welcomes: { id?: unknown }[] = [];
    first.on('welcome', (welcome) => welcomes.push(welcome));
    const second = kit.createClient(lesson);
    const [a, b] = await Promise.all([welcomeOn(first), welcomeOn(second)]);
    expect(a?.id, 'the second connection has an id of its own').not.toBe(b?.id);
    // A welcome sent with io.emit would reach the first socket too, with the second's id.
    await noEvent(first, 'welcome');
    expect(
      welcomes.filter((welcome) => welcome.id !== first.id),
      'welcomes the first socket got for another connection: socket.emit reaches this socket only, io.emit everyone',
    ).toEqual([]);
    expect(
      (await lesson.io.fetchSockets()).map((socket) => socket.id),
      'the ids of the sockets the server holds',
    ).toHaveLength(2);
  });
});
