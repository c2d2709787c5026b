// Each test owns its server and clients, so the tests of a block run concurrently.

import { connectError, nextEvent, noEvent } from '@lessons/test-kit';
import session from 'express-session';
import { describe, expect, it } from 'vitest';
import type { SessionRequest } from '#target/connections.ts';
import {
  login,
  logout,
  ownedBy,
  pollingHandshake,
  pollingUrl,
  postLogin,
  rawWebSocket,
  sessionCookie,
  sessionIdOf,
  WAIT_MS,
  welcomed,
} from './helpers.ts';

describe.concurrent('POST /login', () => {
  it('answers 200 { username } with an HttpOnly, SameSite=Lax session cookie', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const response = await postLogin(lesson, { username: 'alice', password: 'wonderland' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ username: 'alice' });
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(/^sid=s%3A/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).not.toMatch(/; Secure/); // plain HTTP: a Secure cookie would never come back
  });

  it('marks the cookie Secure when the login came over HTTPS through a trusted proxy', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start({ trustProxy: 1 });
    const credentials = { username: 'bob', password: 'builder' };
    const https = await postLogin(lesson, credentials, { 'x-forwarded-proto': 'https' });
    expect(https.headers.getSetCookie()[0]).toMatch(/; Secure/);
    expect(await https.json()).toEqual({ username: 'bob' });
    const http = await postLogin(lesson, credentials);
    expect(http.headers.getSetCookie()[0]).not.toMatch(/; Secure/);
    expect(await http.json()).toEqual({ username: 'bob' });
  });

  it('answers 401 { error } and sets no cookie for a wrong password or an unknown user', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    for (const body of [
      { username: 'alice', password: 'builder' },
      { username: 'mallory', password: 'wonderland' },
    ]) {
      const response = await postLogin(lesson, body);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: expect.any(String) });
      expect(response.headers.getSetCookie()).toEqual([]);
    }
  });

  it('accepts no demo account when demoUsers is false, as in production', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start({ demoUsers: false });
    for (const body of [
      { username: 'alice', password: 'wonderland' },
      { username: 'bob', password: 'builder' },
    ]) {
      const response = await postLogin(lesson, body);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: expect.any(String) });
      expect(response.headers.getSetCookie()).toEqual([]);
    }
  });

  it('answers 400 { error } for a malformed body', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const bodies = [
      '{"username": "alice", "password": ',
      '{"username": "alice"}',
      '{"username": ["alice"], "password": "wonderland"}',
      '"alice:wonderland"',
    ];
    for (const body of bodies) {
      const response = await fetch(`${lesson.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.status, body).toBe(400);
      expect(await response.json()).toEqual({ error: expect.any(String) });
    }
    const form = await fetch(`${lesson.url}/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'alice', password: 'wonderland' }),
    });
    expect(form.status).toBe(400);
  });

  it('gives the session a new id on every login, so an id known before login is useless after', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const first = await login(lesson, 'alice');
    const response = await postLogin(
      lesson,
      { username: 'alice', password: 'wonderland' },
      { cookie: first },
    );
    expect(await response.json()).toEqual({ username: 'alice' });
    const again = sessionCookie(response);
    expect(sessionIdOf(again)).not.toBe('');
    expect(sessionIdOf(again)).not.toBe(sessionIdOf(first));
    expect((await fetch(`${lesson.url}/me`, { headers: { cookie: first } })).status).toBe(401);
  });
});

describe.concurrent('GET /me, the cookie, and the routes that change state', () => {
  it('GET /me answers { username } for a logged-in session and 401 without one', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const cookie = await login(lesson, 'bob');
    const me = await fetch(`${lesson.url}/me`, { headers: { cookie } });
    expect(await me.json()).toEqual({ username: 'bob' });
    const anonymous = await fetch(`${lesson.url}/me`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.getSetCookie()).toEqual([]); // saveUninitialized: false
  });

  it('sends the cookie again, with a new expiry, on each HTTP request that loads the session (rolling)', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const cookie = await login(lesson);
    const me = await fetch(`${lesson.url}/me`, { headers: { cookie } });
    expect(await me.json()).toEqual({ username: 'alice' });
    const [renewed] = me.headers.getSetCookie();
    expect(renewed?.split(';')[0]).toBe(cookie); // same session, same id
    expect(renewed).toMatch(/; Expires=/);
  });

  it('refuses POST /login and POST /logout from another origin with 403', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const cookie = await login(lesson);
    const origin = 'https://evil.example';
    const credentials = { username: 'alice', password: 'wonderland' };
    const loginResponse = await postLogin(lesson, credentials, { origin });
    expect(loginResponse.status).toBe(403);
    expect(await loginResponse.json()).toEqual({ error: 'origin not allowed' });
    const logoutResponse = await fetch(`${lesson.url}/logout`, {
      method: 'POST',
      headers: { cookie, origin },
    });
    expect(logoutResponse.status).toBe(403);
    await logoutResponse.json();
    const me = await fetch(`${lesson.url}/me`, { headers: { cookie } });
    expect(await me.json()).toEqual({ username: 'alice' }); // still logged in
  });

  it("forbids framing (CSP frame-ancestors 'none', X-Frame-Options: DENY) and sends no X-Powered-By", async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    for (const path of ['/', '/me']) {
      const response = await fetch(`${lesson.url}${path}`);
      await response.arrayBuffer();
      expect(response.headers.get('content-security-policy') ?? '(none)').toMatch(
        /(^|;)frame-ancestors 'none'(;|$)/,
      );
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });
});

describe.concurrent('io.engine.use: the Express session on the handshake', () => {
  it.for([['polling'], ['websocket']] as const)(
    'gives a logged-in %s handshake the Express session, before any socket exists',
    async ([transport], context) => {
      const { start } = ownedBy(context);
      const lesson = await start();
      const cookie = await login(lesson, 'alice');
      let request: SessionRequest | undefined;
      lesson.io.engine.on('connection', (conn: { request: SessionRequest }) => {
        request = conn.request;
      });
      // An Engine.IO connection only: no CONNECT, so no io.use middleware runs.
      if (transport === 'polling') await pollingHandshake(lesson, { cookie });
      else await rawWebSocket(lesson, { cookie }, context);
      expect(request, 'the request of the Engine.IO connection').toBeDefined();
      expect(
        request?.session,
        `req.session of the ${transport} handshake that sent ${cookie}: did io.engine.use run the session middleware?`,
      ).toMatchObject({ id: sessionIdOf(cookie), username: 'alice' });
    },
  );

  it('loads the session on the handshake only: a request that carries a sid gets no Set-Cookie', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const cookie = await login(lesson, 'alice');
    const handshake = await fetch(pollingUrl(lesson), { headers: { cookie } });
    const text = await handshake.text();
    expect(handshake.status, `the handshake's answer: ${text}`).toBe(200);
    // rolling: true renews the cookie on every response that loaded the session.
    expect(
      handshake.headers.getSetCookie(),
      'Set-Cookie on the polling handshake, which the session middleware renews',
    ).toEqual([expect.stringMatching(/^sid=/)]);
    const { sid } = JSON.parse(text.slice(1)) as { sid: string };
    const post = await fetch(pollingUrl(lesson, sid), {
      method: 'POST',
      headers: { cookie },
      body: '40',
    });
    expect(await post.text()).toBe('ok');
    expect(
      post.headers.getSetCookie(),
      'Set-Cookie on a POST with a sid: the session middleware ran after the handshake, and renews the session on every poll',
    ).toEqual([]);
  });
});

describe.concurrent('io.use: only a logged-in session opens a socket', () => {
  it.for([['polling'], ['websocket']] as const)(
    'welcomes a logged-in client over %s by the username in its session',
    async ([transport], context) => {
      const { start, client } = ownedBy(context);
      const lesson = await start();
      const socket = client(lesson, { cookie: await login(lesson, 'alice') }, { transport });
      const welcome = await welcomed(socket);
      expect(welcome).toEqual({ username: 'alice' });
      expect(await socket.emitWithAck('whoami')).toEqual({ username: 'alice' });
    },
  );

  it('exposes the Express session as socket.request.session', async (context) => {
    const { start, client } = ownedBy(context);
    const lesson = await start();
    const cookie = await login(lesson, 'bob');
    const socket = client(lesson, { cookie });
    await welcomed(socket);
    const [serverSide] = lesson.io.of('/').sockets.values();
    const request = serverSide?.request as unknown as { session: { id: string; username: string } };
    const { session } = request;
    expect(session.id).toBe(sessionIdOf(cookie));
    expect(session.username).toBe('bob');
  });

  it('refuses a socket until an HTTP login has created the session, then accepts it', async (context) => {
    const { start, client } = ownedBy(context);
    const lesson = await start();
    expect((await connectError(lesson)).message).toBe('unauthorized');
    const socket = client(lesson, { cookie: await login(lesson) });
    expect(await welcomed(socket)).toEqual({ username: 'alice' });
  });
});

describe.concurrent('the origin check: requestRefusal() in io.engine.use, answered by allowRequest', () => {
  it('accepts the server’s own origins and ALLOWED_ORIGINS, for the port it listens on', async (context) => {
    const { start, client } = ownedBy(context);
    const lesson = await start({ allowedOrigins: ['https://chat.example'] });
    const cookie = await login(lesson);
    for (const origin of [
      `http://localhost:${lesson.port}`,
      `http://127.0.0.1:${lesson.port}`,
      'https://chat.example',
    ]) {
      const socket = client(lesson, { cookie, origin }, { transport: 'websocket' });
      expect(await welcomed(socket), origin).toEqual({ username: 'alice' });
      socket.close();
    }
  });

  it('answers a polling handshake from another origin with 403 and opens nothing', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const response = await fetch(`${lesson.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ code: 4, message: 'origin not allowed' });
    expect(lesson.io.engine.clientsCount).toBe(0);
  });

  it('refuses a handshake from another origin before the session middleware reads the store', async (context) => {
    const { start, client } = ownedBy(context);
    const store = new session.MemoryStore();
    const lesson = await start({ store });
    const cookie = await login(lesson, 'alice');
    const reads: string[] = [];
    const get = store.get.bind(store);
    store.get = (sessionId, callback) => {
      reads.push(sessionId);
      get(sessionId, callback);
    };
    for (const transport of ['polling', 'websocket'] as const) {
      const origin = 'https://evil.example';
      await connectError(lesson, { transport, extraHeaders: { cookie, origin } });
    }
    expect(
      reads,
      'sessions read from the store for handshakes from https://evil.example: does the share-session middleware skip a request whose req.refusal is set, and does the origin check set it?',
    ).toEqual([]);
    // The same cookie from no origin reads its session: the spy sees reads.
    expect(await welcomed(client(lesson, { cookie }))).toEqual({ username: 'alice' });
    expect(reads).toContain(sessionIdOf(cookie));
  });
});

describe.concurrent('chat: every argument checked', () => {
  it('broadcasts { from, text } to everyone, the sender included, and acknowledges { ok: true }', async (context) => {
    const { start, client } = ownedBy(context);
    const lesson = await start();
    const cookies = { alice: await login(lesson, 'alice'), bob: await login(lesson, 'bob') };
    const alice = client(lesson, { cookie: cookies.alice });
    const bob = client(lesson, { cookie: cookies.bob });
    await Promise.all([welcomed(alice), welcomed(bob)]);
    const received = Promise.all([
      nextEvent(alice, 'chat', WAIT_MS),
      nextEvent(bob, 'chat', WAIT_MS),
    ]);
    expect(await alice.emitWithAck('chat', 'hello bob')).toEqual({ ok: true });
    for (const [message] of await received)
      expect(message).toEqual({ from: 'alice', text: 'hello bob' });
  });

  it('accepts 1 to 500 characters and acknowledges anything else with { error }', async (context) => {
    const { start, client } = ownedBy(context);
    const lesson = await start();
    const socket = client(lesson, { cookie: await login(lesson) });
    await welcomed(socket);
    expect(await socket.emitWithAck('chat', 'x'.repeat(500))).toEqual({ ok: true });
    expect(await socket.emitWithAck('chat', '')).toEqual({ error: expect.any(String) });
    expect(await socket.emitWithAck('chat', 'x'.repeat(501))).toEqual({
      error: expect.any(String),
    });
  });
});

describe.concurrent('chat: a budget per session', () => {
  it('acknowledges the 11th chat within a second with { error: "rate limited" }', async (context) => {
    const { start, client } = ownedBy(context);
    const lesson = await start();
    const socket = client(lesson, { cookie: await login(lesson) });
    await welcomed(socket);
    const acks = await Promise.all(
      Array.from({ length: 11 }, (_, i) => socket.emitWithAck('chat', `message ${i}`)),
    );
    expect(acks.slice(0, 10)).toEqual(Array(10).fill({ ok: true }));
    expect(acks[10]).toEqual({ error: 'rate limited' });
  });
});

describe.concurrent('logout ends the sockets of a session', () => {
  it('POST /logout answers 204, destroys the session and clears the cookie', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const cookie = await login(lesson);
    const response = await logout(lesson, cookie);
    expect(response.status).toBe(204);
    expect(response.headers.getSetCookie()[0]).toMatch(/^sid=;.*Expires=Thu, 01 Jan 1970/);
    expect((await fetch(`${lesson.url}/me`, { headers: { cookie } })).status).toBe(401);
  });

  it('POST /logout disconnects every socket of that session, and no other', async (context) => {
    const { start, client } = ownedBy(context);
    const lesson = await start();
    const cookie = await login(lesson, 'alice');
    const bobCookie = await login(lesson, 'bob');
    const tabs = [
      client(lesson, { cookie }),
      client(lesson, { cookie }, { transport: 'websocket' }),
    ];
    const bob = client(lesson, { cookie: bobCookie });
    await Promise.all([...tabs, bob].map((socket) => welcomed(socket)));
    const disconnects = tabs.map((socket) => nextEvent(socket, 'disconnect', WAIT_MS));
    expect((await logout(lesson, cookie)).status).toBe(204);
    for (const [reason] of await Promise.all(disconnects))
      expect(reason).toBe('io server disconnect');
    await noEvent(bob, 'disconnect');
    expect(bob.connected).toBe(true);
  });

  it('logging in as someone else in the same browser disconnects the previous user’s sockets', async (context) => {
    const { start, client } = ownedBy(context);
    const lesson = await start();
    const cookie = await login(lesson, 'alice');
    const socket = client(lesson, { cookie });
    await welcomed(socket);
    const disconnect = nextEvent(socket, 'disconnect', WAIT_MS);
    const response = await postLogin(lesson, { username: 'bob', password: 'builder' }, { cookie });
    expect(await response.json()).toEqual({ username: 'bob' });
    expect((await disconnect)[0]).toBe('io server disconnect');
  });
});

describe.concurrent('expiry ends the sockets of a session', () => {
  it.for([['polling'], ['websocket']] as const)(
    'disconnects a %s socket at the next check once the store no longer has its session',
    async ([transport], context) => {
      const store = new session.MemoryStore();
      const { start, client } = ownedBy(context);
      const sessionCheckMs = 100;
      const lesson = await start({ store, sessionCheckMs });
      const cookie = await login(lesson);
      const socket = client(lesson, { cookie }, { transport });
      await welcomed(socket);
      const disconnect = nextEvent(socket, 'disconnect', WAIT_MS);
      await expireInStore(store, sessionIdOf(cookie));
      const expiredAt = Date.now();
      expect((await disconnect)[0]).toBe('io server disconnect');
      // One interval, plus room for a busy machine; far below the 10 s default.
      expect(Date.now() - expiredAt).toBeLessThan(sessionCheckMs + 1000);
      expect((await fetch(`${lesson.url}/me`, { headers: { cookie } })).status).toBe(401);
    },
  );
});

/** Move a stored session's expiry into the past, as time would: MemoryStore then drops it. */
function expireInStore(store: session.MemoryStore, sessionId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    store.get(sessionId, (error, stored) => {
      if (error || !stored) return reject(error ?? new Error(`No session ${sessionId}`));
      stored.cookie.expires = new Date(Date.now() - 1000);
      store.set(sessionId, stored, (setError) => (setError ? reject(setError) : resolve()));
    });
  });
}
