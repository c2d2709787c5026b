// The attacks of a page on another port of the same host, in a real Chromium:
// same site, so the browser sends alice's SameSite=Lax cookie along, and its
// GETs that are not CORS requests carry no Origin header.
import { once } from 'node:events';
import { createServer } from 'node:http';
import { useBrowser } from '@lessons/test-kit/browser';
import type { Page } from 'playwright-core';
import { describe, expect, it, type TestContext } from 'vitest';
import { login, ownedBy, pollingHandshake, WAIT_MS, welcomed } from './helpers.ts';

const browser = useBrowser();

type Context = Pick<TestContext, 'onTestFinished'>;

/** A page of another origin on this host (http://localhost:<another port>), same site as the lesson. */
async function otherPage(context: Context, cookie: string, lessonPort: number): Promise<Page> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><title>another page of localhost</title>');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const session = await browser().newContext();
  context.onTestFinished(async () => {
    await session.close();
    server.closeAllConnections();
    server.close();
  });
  // Alice is logged in to the lesson in this browser: her cookie, as the lesson set it.
  await session.addCookies([
    {
      name: 'sid',
      value: cookie.slice('sid='.length),
      domain: 'localhost',
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
    },
  ]);
  const page = await session.newPage();
  await page.goto(`http://localhost:${port}/`);
  expect(lessonPort).not.toBe(port);
  return page;
}

/** What Engine.IO refused from now on: the reason, and the headers that decided it. */
function refusals(lesson: { io: { engine: { on(event: string, listener: never): unknown } } }) {
  const seen: { reason: string; origin?: string; site?: string; mode?: string }[] = [];
  const listener = (error: {
    req: { refusal?: string; headers: Record<string, string | undefined> };
    context?: { message?: string };
  }) => {
    const { headers } = error.req;
    seen.push({
      reason: error.req.refusal ?? error.context?.message ?? '',
      origin: headers.origin,
      site: headers['sec-fetch-site'],
      mode: headers['sec-fetch-mode'],
    });
  };
  lesson.io.engine.on('connection_error', listener as never);
  return seen;
}

describe.concurrent('a same-site page in Chromium, with alice’s cookie', () => {
  it('cannot read a sid through JSONP, nor open a connection over polling or WebSocket', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const cookie = await login(lesson, 'alice');
    const page = await otherPage(context, cookie, lesson.port);
    const seen = refusals(lesson);
    const target = `localhost:${lesson.port}`;
    const outcome = await page.evaluate(async (target) => {
      const base = `http://${target}/socket.io/?EIO=4`;
      // JSONP: the answer is a script that calls ___eio[0] with the handshake, sid included.
      const jsonp = await new Promise<string>((resolve) => {
        Object.assign(window, { ___eio: [(packet: string) => resolve(`read ${packet}`)] });
        const script = document.createElement('script');
        script.src = `${base}&transport=polling&j=0`;
        script.onerror = () => resolve('refused');
        document.head.append(script);
      });
      // A polling handshake the page cannot read, in case a later request could use it.
      await fetch(`${base}&transport=polling`, { mode: 'no-cors', credentials: 'include' });
      const websocket = await new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://${target}/socket.io/?EIO=4&transport=websocket`);
        ws.onopen = () => resolve('open');
        ws.onclose = () => resolve('refused');
      });
      return { jsonp, websocket };
    }, target);
    expect(outcome).toEqual({ jsonp: 'refused', websocket: 'refused' });
    const own = new URL(page.url()).origin;
    // [why, Origin, Sec-Fetch-Site, Sec-Fetch-Mode]: the GETs carry no Origin, but fetch
    // metadata; the WebSocket handshake carries the page's Origin (and, here, no metadata).
    expect(seen.map(({ reason, origin, site, mode }) => [reason, origin, site, mode])).toEqual([
      ['JSONP not allowed', undefined, 'same-site', 'no-cors'],
      ['not from this origin', undefined, 'same-site', 'no-cors'],
      ['origin not allowed', own, undefined, undefined],
    ]);
    expect(lesson.io.engine.clientsCount).toBe(0);
  });

  it('cannot use a sid it learned: its CONNECT over polling and its upgrade to WebSocket are refused', async (context) => {
    const { start, client } = ownedBy(context);
    const lesson = await start();
    const [alice, bobCookie] = await Promise.all([login(lesson, 'alice'), login(lesson, 'bob')]);
    const bob = client(lesson, { cookie: bobCookie }, { transport: 'websocket' });
    await welcomed(bob);
    const heard: unknown[] = [];
    bob.on('chat', (message) => heard.push(message));
    // Alice's own connection, as her page opened it; somehow the other page learned its sid.
    const sid = await pollingHandshake(lesson, { cookie: alice });
    const page = await otherPage(context, alice, lesson.port);
    const seen = refusals(lesson);
    const outcome = await page.evaluate(
      async ({ target, sid }) => {
        const url = (transport: string) =>
          `${transport === 'websocket' ? 'ws' : 'http'}://${target}/socket.io/?EIO=4&transport=${transport}&sid=${sid}`;
        await fetch(url('polling'), {
          method: 'POST',
          mode: 'no-cors',
          credentials: 'include',
          body: '40',
        });
        // The upgrade: probe, upgrade, CONNECT, then chat as alice.
        return new Promise<string>((resolve) => {
          const ws = new WebSocket(url('websocket'));
          ws.onopen = () => ws.send('2probe');
          ws.onmessage = ({ data }) => {
            if (data === '3probe') ws.send('5');
            if (data === '3probe') ws.send('40');
            if (String(data).startsWith('40')) {
              ws.send('420["chat","hijacked"]');
              resolve('chatted as alice');
            }
          };
          ws.onclose = () => resolve('refused');
        });
      },
      { target: `localhost:${lesson.port}`, sid },
    );
    expect(outcome).toBe('refused');
    const own = new URL(page.url()).origin;
    expect(seen.map(({ reason, origin }) => [reason, origin])).toEqual([
      ['origin not allowed', own], // the POST
      ['origin not allowed', own], // the upgrade
    ]);
    expect(lesson.io.of('/').sockets.size).toBe(1); // bob's
    // Bob's own chat comes back after anything sent before it: he heard nothing else.
    expect(await bob.timeout(WAIT_MS).emitWithAck('chat', 'fence')).toEqual({ ok: true });
    await context.expect.poll(() => heard.length).toBe(1);
    expect(heard).toEqual([{ from: 'bob', text: 'fence' }]);
  });
});
