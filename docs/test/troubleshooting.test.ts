import { createServer, type Server as HttpServer, type IncomingMessage, request } from 'node:http';
import { type AddressInfo, connect as netConnect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createApp } from '@lessons/01-http-server/app';
import { closeAll, connect, createClient, nextEvent, startLesson } from '@lessons/test-kit';
import { useBrowser } from '@lessons/test-kit/browser';
import express from 'express';
import session from 'express-session';
import type { Page } from 'playwright-core';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';

// The exact symptoms quoted on docs/guide/troubleshooting.md, produced here.

const browser = useBrowser();

const toClose: { close(): unknown }[] = [];
afterEach(async () => {
  await closeAll();
  await Promise.all(toClose.splice(0).map((s) => s.close()));
});

async function listen(server: HttpServer): Promise<string> {
  if (!server.listening) {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }
  return `http://localhost:${(server.address() as AddressInfo).port}`;
}

/** A page that records what a learner would read in the DevTools console. */
async function openPage(): Promise<{ page: Page; console: string[] }> {
  const page = await browser().newPage();
  toClose.push(page);
  const lines: string[] = [];
  page.on('console', (message) => lines.push(message.text()));
  page.on('pageerror', (error) => lines.push(`Uncaught ${error.name}: ${error.message}`));
  return { page, console: lines };
}

const lesson1Public = fileURLToPath(
  new URL('../../lessons/01-http-server/public', import.meta.url),
);

describe('app.listen() after attaching Socket.IO', () => {
  it('serves the page, then 404 for /socket.io/socket.io.min.js, then "io is not defined"', async () => {
    const app = express();
    app.use(express.static(lesson1Public));
    const io = new Server(createServer(app)); // attached to a server that never listens
    const server = app.listen(0);
    toClose.push(io, server);
    const url = await listen(server);

    const { page, console } = await openPage();
    await page.goto(url);
    await expect.poll(() => console).toContain('Uncaught ReferenceError: io is not defined');
    expect(console).toContain(
      `Refused to execute script from '${url}/socket.io/socket.io.min.js' because its MIME type ('text/html') is not executable, and strict MIME type checking is enabled.`,
    );
    expect(console).toContain(
      'Failed to load resource: the server responded with a status of 404 (Not Found)',
    );
  });
});

describe('a page on another origin, without the cors option', () => {
  async function pageOnAnotherOrigin(ioUrl: string): Promise<string> {
    const other = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><title>other origin</title>
<script src="${ioUrl}/socket.io/socket.io.min.js"></script>
<script>
  const socket = io('${ioUrl}', { reconnection: false });
  socket.on('connect', () => console.log('connected'));
  socket.on('connect_error', (error) => console.log('connect_error: ' + error.message));
</script>`);
    });
    toClose.push(other);
    return listen(other);
  }

  it('is blocked by the browser: "has been blocked by CORS policy", then connect_error "xhr poll error"', async () => {
    const lesson = await startLesson(createApp);
    const ioUrl = lesson.url; // http://127.0.0.1:<port>
    const { page, console } = await openPage();
    await page.goto(await pageOnAnotherOrigin(ioUrl));
    await expect.poll(() => console).toContain('connect_error: xhr poll error');
    const blocked = console.find((line) => line.startsWith('Access to XMLHttpRequest'));
    expect(blocked).toMatch(
      new RegExp(
        `^Access to XMLHttpRequest at '${ioUrl}/socket\\.io/\\?EIO=4&transport=polling&t=[\\w-]+' from origin 'http://localhost:\\d+' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource\\.$`,
      ),
    );
  });

  it('connects once the server lists the page origin in cors.origin', async () => {
    const httpServer = createServer();
    const ioUrl = (await listen(httpServer)).replace('localhost', '127.0.0.1');
    const pageUrl = await pageOnAnotherOrigin(ioUrl);
    const io = new Server(httpServer, { cors: { origin: pageUrl } });
    toClose.push(io);
    const { page, console } = await openPage();
    await page.goto(pageUrl);
    await expect.poll(() => console).toContain('connected');
    expect(console.filter((line) => line.includes('CORS'))).toEqual([]);
  });
});

describe('a Socket.IO v2 client (Engine.IO protocol 3) against a v4 server', () => {
  it('gets HTTP 400 {"code":5,"message":"Unsupported protocol version"}', async () => {
    const lesson = await startLesson(createApp);
    const response = await fetch(`${lesson.url}/socket.io/?EIO=3&transport=polling`);
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('{"code":5,"message":"Unsupported protocol version"}');
  });
});

describe('a plain WebSocket in the browser', () => {
  it('fails on the site root after about a second: "Connection closed before receiving a handshake response"', async () => {
    const lesson = await startLesson(createApp);
    const { page, console } = await openPage();
    await page.goto(`${lesson.url.replace('127.0.0.1', 'localhost')}/health`);
    const { code, ms } = await page.evaluate(
      () =>
        new Promise<{ code: number; ms: number }>((resolve) => {
          const started = performance.now();
          const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/`);
          ws.onclose = (event) => resolve({ code: event.code, ms: performance.now() - started });
        }),
    );
    expect(code).toBe(1006);
    // Not at once: Engine.IO ends the unanswered upgrade after destroyUpgradeTimeout, 1,000 ms.
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(console).toContain(
      `WebSocket connection to 'ws://localhost:${lesson.port}/' failed: Connection closed before receiving a handshake response`,
    );
  });

  it('gets Engine.IO packets as text on /socket.io/, not the events the server emits', async () => {
    const lesson = await startLesson(createApp);
    const { page } = await openPage();
    await page.goto(`${lesson.url}/health`);
    const first = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(
            `${location.origin.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`,
          );
          ws.onmessage = (event) => {
            resolve(String(event.data));
            ws.close();
          };
        }),
    );
    expect(first).toMatch(/^0\{"sid":/);
  });
});

describe('socket.id as a user identity', () => {
  it('changes when the same client reconnects, so io.to(oldId) reaches no one', async () => {
    const lesson = await startLesson(createApp);
    const socket = await connect(lesson);
    const firstId = socket.id;
    socket.disconnect();
    const reconnected = nextEvent(socket, 'connect');
    socket.connect();
    await reconnected;
    expect(socket.id).not.toBe(firstId);
    expect(await lesson.io.in(firstId as string).fetchSockets()).toHaveLength(0);
  });
});

describe('a handler registered inside the connect handler', () => {
  it('runs twice for one message after one reconnection', async () => {
    const lesson = await startLesson(createApp);
    (lesson.io as Server).on('connection', (socket) => {
      socket.on('ask', () => {
        socket.emit('chat', 'hello');
      });
    });
    const socket = createClient(lesson, { reconnection: true, reconnectionDelay: 10 });
    const seen: string[] = [];
    let connects = 0;
    socket.on('connect', () => {
      connects++;
      socket.on('chat', (text: string) => seen.push(text)); // the mistake
    });
    await expect.poll(() => connects).toBe(1);
    socket.io.engine.close(); // the connection drops; the client reconnects on its own
    await expect.poll(() => connects).toBe(2);
    socket.emit('ask');
    await expect.poll(() => seen).toEqual(['hello', 'hello']);
    expect(socket.listeners('chat')).toHaveLength(2);
  });
});

describe('two servers behind a load balancer without sticky sessions', () => {
  /** A round-robin load balancer: each HTTP request, and each upgrade, goes to the next server. */
  function roundRobin(targets: string[]): HttpServer {
    let next = 0;
    const pick = () => new URL(targets[next++ % targets.length] as string);
    const balancer = createServer((req, res) => {
      const upstream = request(
        new URL(req.url ?? '/', pick()),
        { method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      // A backend that goes away drops the request it was answering.
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    balancer.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
      const target = pick();
      const upstream = netConnect(Number(target.port), target.hostname, () => {
        const headers = [];
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          headers.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
        }
        upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`);
        upstream.write(head);
        client.pipe(upstream).pipe(client);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    return balancer;
  }

  it('answers the second request with HTTP 400 {"code":1,"message":"Session ID unknown"}', async () => {
    const [a, b] = await Promise.all([startLesson(createApp), startLesson(createApp)]);
    const handshake = await fetch(`${a.url}/socket.io/?EIO=4&transport=polling`);
    const { sid } = JSON.parse((await handshake.text()).slice(1));
    const response = await fetch(`${b.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('{"code":1,"message":"Session ID unknown"}');
  });

  it('leaves a polling client with connect_error "xhr poll error" or "xhr post error"', async () => {
    const [a, b] = await Promise.all([startLesson(createApp), startLesson(createApp)]);
    const balancer = roundRobin([a.url, b.url]);
    toClose.push(balancer);
    const [error] = await nextEvent<[Error]>(
      createClient(await listen(balancer), { transport: 'polling' }),
      'connect_error',
    );
    // After the handshake the client polls (GET) and sends its CONNECT (POST) at
    // once; whichever reaches the other server first fails.
    expect(['xhr poll error', 'xhr post error']).toContain(error.message);
  });

  it('does not affect WebSocket-only clients: one connection holds the session', async () => {
    const [a, b] = await Promise.all([startLesson(createApp), startLesson(createApp)]);
    const balancer = roundRobin([a.url, b.url]);
    toClose.push(balancer);
    const url = await listen(balancer);
    const first = createClient(url, { transport: 'websocket' });
    const second = createClient(url, { transport: 'websocket' });
    await Promise.all([nextEvent(first, 'welcome'), nextEvent(second, 'welcome')]);
    // One socket on each server: the balancer spread them, and neither noticed.
    expect(a.io.sockets.sockets.size).toBe(1);
    expect(b.io.sockets.sockets.size).toBe(1);
  });
});

describe('socket.request.session', () => {
  function sessionApp(shareWithSocketIo: boolean) {
    const app = express();
    const sessionMiddleware = session({ secret: 'test', resave: false, saveUninitialized: false });
    app.use(sessionMiddleware);
    const httpServer = createServer(app);
    const io = new Server(httpServer);
    if (shareWithSocketIo) io.engine.use(sessionMiddleware);
    const seen: string[] = [];
    io.on('connection', (socket) => {
      const request = socket.request as IncomingMessage & { session?: { user?: string } };
      try {
        seen.push(`user: ${request.session?.user ?? 'none'}`);
        seen.push(`session.user: ${(request.session as { user?: string }).user ?? 'none'}`);
      } catch (error) {
        seen.push(`${(error as Error).name}: ${(error as Error).message}`);
      }
    });
    return { app, httpServer, io, seen };
  }

  it('is undefined when the session middleware runs on Express only: "Cannot read properties of undefined (reading \'user\')"', async () => {
    const lesson = await startLesson(() => sessionApp(false));
    await connect(lesson);
    await expect
      .poll(() => lesson.seen)
      .toEqual(['user: none', "TypeError: Cannot read properties of undefined (reading 'user')"]);
  });

  it('is the session once io.engine.use(sessionMiddleware) shares it with Socket.IO', async () => {
    const lesson = await startLesson(() => sessionApp(true));
    await connect(lesson);
    await expect.poll(() => lesson.seen).toEqual(['user: none', 'session.user: none']);
  });
});
