import { closeAll, kitFor, nextEvent, startLesson } from '@lessons/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '#target/app.ts';

afterEach(closeAll);

describe('createApp()', () => {
  it('returns an Express app, the http.Server it runs on, and a Socket.IO server, without listening', () => {
    const { app, httpServer, io } = createApp();
    expect(typeof app).toBe('function'); // a request handler, (req, res) => void
    expect(httpServer.listening).toBe(false);
    expect(io.httpServer).toBe(httpServer);
    io.close();
  });
});

describe('one port for Express and Socket.IO', () => {
  it('GET /health answers 200 with { ok: true }', async () => {
    const lesson = await startLesson(createApp);
    const response = await fetch(`${lesson.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('GET / serves the demo page, which loads the client from /socket.io/', async () => {
    const lesson = await startLesson(createApp);
    const response = await fetch(lesson.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain('<script src="/socket.io/socket.io.min.js">');
  });

  it('GET /socket.io/socket.io.min.js serves the browser client from the same port', async () => {
    const lesson = await startLesson(createApp);
    const response = await fetch(`${lesson.url}/socket.io/socket.io.min.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect((await response.text()).length).toBeGreaterThan(10_000);
  });

  it('answers a Socket.IO handshake on /socket.io/ that Express never sees', async () => {
    const lesson = await startLesson(createApp);
    const response = await fetch(`${lesson.url}/socket.io/?EIO=4&transport=polling`);
    expect(response.status).toBe(200);
    // Engine.IO's open packet: "0" then the session as JSON.
    expect(await response.text()).toMatch(/^0\{"sid":"/);
  });

  it('lets Express answer unknown routes with 404 on the same port', async () => {
    const lesson = await startLesson(createApp);
    const response = await fetch(`${lesson.url}/no-such-page`);
    expect(response.status).toBe(404);
  });
});

// Each test waits for a welcome that a server may never send: with a kit each, they wait side by side.
describe.concurrent('welcome', () => {
  it('greets a socket over HTTP long-polling with its own socket.id', async (context) => {
    const kit = kitFor(context);
    const lesson = await kit.startLesson(createApp);
    const socket = kit.createClient(lesson, { transport: 'polling' });
    const [welcome] = await nextEvent<[{ id: string }]>(socket, 'welcome');
    expect(welcome.id).toBe(socket.id);
    expect(socket.io.engine.transport.name).toBe('polling');
  });

  it('greets a socket over WebSocket only with its own socket.id', async (context) => {
    const kit = kitFor(context);
    const lesson = await kit.startLesson(createApp);
    const socket = kit.createClient(lesson, { transport: 'websocket' });
    const [welcome] = await nextEvent<[{ id: string }]>(socket, 'welcome');
    expect(welcome.id).toBe(socket.id);
    expect(socket.io.engine.transport.name).toBe('websocket');
  });

  it('greets a socket on the default path, which starts with polling and upgrades to WebSocket', async (context) => {
    const kit = kitFor(context);
    const lesson = await kit.startLesson(createApp);
    const socket = kit.createClient(lesson);
    const upgrade = nextEvent<[{ name: string }]>(socket.io.engine, 'upgrade');
    const [welcome] = await nextEvent<[{ id: string }]>(socket, 'welcome');
    expect(welcome.id).toBe(socket.id);
    const [transport] = await upgrade;
    expect(transport.name).toBe('websocket');
  });

  it('gives every connection its own id', async (context) => {
    const kit = kitFor(context);
    const lesson = await kit.startLesson(createApp);
    const first = kit.createClient(lesson);
    const second = kit.createClient(lesson);
    const [[a], [b]] = await Promise.all([
      nextEvent<[{ id: string }]>(first, 'welcome'),
      nextEvent<[{ id: string }]>(second, 'welcome'),
    ]);
    expect(a.id).not.toBe(b.id);
    expect(await lesson.io.fetchSockets()).toHaveLength(2);
  });
});
