import { closeAll, connectError, nextEvent, noEvent, startLesson } from '@lessons/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '#target/app.ts';
import { clientWith, login, logout, postLogin, sessionCookie, sessionIdOf } from './helpers.ts';

afterEach(closeAll);

describe('POST /login', () => {
  it('answers 200 { username } with an HttpOnly, SameSite=Lax session cookie', async () => {
    const lesson = await startLesson(createApp);
    const response = await postLogin(lesson, { username: 'alice', password: 'wonderland' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ username: 'alice' });
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(/^sid=s%3A/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).not.toMatch(/; Secure/); // plain HTTP: a Secure cookie would never come back
  });

  it('marks the cookie Secure when the login came over HTTPS through a trusted proxy', async () => {
    const lesson = await startLesson(createApp, { trustProxy: 1 });
    const credentials = { username: 'bob', password: 'builder' };
    const https = await postLogin(lesson, credentials, { 'x-forwarded-proto': 'https' });
    expect(https.headers.getSetCookie()[0]).toMatch(/; Secure/);
    expect(await https.json()).toEqual({ username: 'bob' });
    const http = await postLogin(lesson, credentials);
    expect(http.headers.getSetCookie()[0]).not.toMatch(/; Secure/);
    expect(await http.json()).toEqual({ username: 'bob' });
  });

  it('answers 401 { error } and sets no cookie for a wrong password or an unknown user', async () => {
    const lesson = await startLesson(createApp);
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

  it('answers 400 { error } for a malformed body', async () => {
    const lesson = await startLesson(createApp);
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

  it('gives the session a new id on every login, so an id known before login is useless after', async () => {
    const lesson = await startLesson(createApp);
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

describe('GET /me and POST /logout', () => {
  it('GET /me answers { username } for a logged-in session and 401 without one', async () => {
    const lesson = await startLesson(createApp);
    const cookie = await login(lesson, 'bob');
    const me = await fetch(`${lesson.url}/me`, { headers: { cookie } });
    expect(await me.json()).toEqual({ username: 'bob' });
    const anonymous = await fetch(`${lesson.url}/me`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.getSetCookie()).toEqual([]); // saveUninitialized: false
  });

  it('POST /logout answers 204, destroys the session and clears the cookie', async () => {
    const lesson = await startLesson(createApp);
    const cookie = await login(lesson);
    const response = await logout(lesson, cookie);
    expect(response.status).toBe(204);
    expect(response.headers.getSetCookie()[0]).toMatch(/^sid=;.*Expires=Thu, 01 Jan 1970/);
    expect((await fetch(`${lesson.url}/me`, { headers: { cookie } })).status).toBe(401);
  });
});

describe('one session for Express and Socket.IO (io.engine.use)', () => {
  it.each(['polling', 'websocket'] as const)(
    'welcomes a logged-in client over %s by the username in its session',
    async (transport) => {
      const lesson = await startLesson(createApp);
      const socket = clientWith(lesson, { cookie: await login(lesson, 'alice') }, { transport });
      const [welcome] = await nextEvent(socket, 'welcome');
      expect(welcome).toEqual({ username: 'alice' });
      expect(await socket.emitWithAck('whoami')).toEqual({ username: 'alice' });
    },
  );

  it('exposes the Express session as socket.request.session', async () => {
    const lesson = await startLesson(createApp);
    const cookie = await login(lesson, 'bob');
    const socket = clientWith(lesson, { cookie });
    await nextEvent(socket, 'welcome');
    const [serverSide] = lesson.io.of('/').sockets.values();
    const request = serverSide?.request as unknown as { session: { id: string; username: string } };
    const { session } = request;
    expect(session.id).toBe(sessionIdOf(cookie));
    expect(session.username).toBe('bob');
  });

  it('refuses a socket until an HTTP login has created the session, then accepts it', async () => {
    const lesson = await startLesson(createApp);
    expect((await connectError(lesson)).message).toBe('unauthorized');
    const socket = clientWith(lesson, { cookie: await login(lesson) });
    expect(await nextEvent(socket, 'welcome')).toEqual([{ username: 'alice' }]);
  });

  it('accepts the server’s own origins and ALLOWED_ORIGINS, for the port it listens on', async () => {
    const lesson = await startLesson(createApp, { allowedOrigins: ['https://chat.example'] });
    const cookie = await login(lesson);
    for (const origin of [
      `http://localhost:${lesson.port}`,
      `http://127.0.0.1:${lesson.port}`,
      'https://chat.example',
    ]) {
      const socket = clientWith(lesson, { cookie, origin }, { transport: 'websocket' });
      expect(await nextEvent(socket, 'welcome'), origin).toEqual([{ username: 'alice' }]);
      socket.close();
    }
  });
});

describe('chat', () => {
  it('broadcasts { from, text } to everyone, the sender included, and acknowledges { ok: true }', async () => {
    const lesson = await startLesson(createApp);
    const cookies = { alice: await login(lesson, 'alice'), bob: await login(lesson, 'bob') };
    const alice = clientWith(lesson, { cookie: cookies.alice });
    const bob = clientWith(lesson, { cookie: cookies.bob });
    await Promise.all([nextEvent(alice, 'welcome'), nextEvent(bob, 'welcome')]);
    const received = Promise.all([nextEvent(alice, 'chat'), nextEvent(bob, 'chat')]);
    expect(await alice.emitWithAck('chat', 'hello bob')).toEqual({ ok: true });
    for (const [message] of await received)
      expect(message).toEqual({ from: 'alice', text: 'hello bob' });
  });

  it('accepts 1 to 500 characters and acknowledges anything else with { error }', async () => {
    const lesson = await startLesson(createApp);
    const socket = clientWith(lesson, { cookie: await login(lesson) });
    await nextEvent(socket, 'welcome');
    expect(await socket.emitWithAck('chat', 'x'.repeat(500))).toEqual({ ok: true });
    expect(await socket.emitWithAck('chat', '')).toEqual({ error: expect.any(String) });
    expect(await socket.emitWithAck('chat', 'x'.repeat(501))).toEqual({
      error: expect.any(String),
    });
  });

  it('acknowledges the 11th chat within a second with { error: "rate limited" }', async () => {
    const lesson = await startLesson(createApp);
    const socket = clientWith(lesson, { cookie: await login(lesson) });
    await nextEvent(socket, 'welcome');
    const acks = await Promise.all(
      Array.from({ length: 11 }, (_, i) => socket.emitWithAck('chat', `message ${i}`)),
    );
    expect(acks.slice(0, 10)).toEqual(Array(10).fill({ ok: true }));
    expect(acks[10]).toEqual({ error: 'rate limited' });
  });
});

describe('logout and expiry end the sockets of a session', () => {
  it('POST /logout disconnects every socket of that session, and no other', async () => {
    const lesson = await startLesson(createApp);
    const cookie = await login(lesson, 'alice');
    const bobCookie = await login(lesson, 'bob');
    const tabs = [
      clientWith(lesson, { cookie }),
      clientWith(lesson, { cookie }, { transport: 'websocket' }),
    ];
    const bob = clientWith(lesson, { cookie: bobCookie });
    await Promise.all([...tabs, bob].map((socket) => nextEvent(socket, 'welcome')));
    const disconnects = tabs.map((socket) => nextEvent(socket, 'disconnect'));
    expect((await logout(lesson, cookie)).status).toBe(204);
    for (const [reason] of await Promise.all(disconnects))
      expect(reason).toBe('io server disconnect');
    await noEvent(bob, 'disconnect');
    expect(bob.connected).toBe(true);
  });

  it('logging in as someone else in the same browser disconnects the previous user’s sockets', async () => {
    const lesson = await startLesson(createApp);
    const cookie = await login(lesson, 'alice');
    const socket = clientWith(lesson, { cookie });
    await nextEvent(socket, 'welcome');
    const disconnect = nextEvent(socket, 'disconnect');
    const response = await postLogin(lesson, { username: 'bob', password: 'builder' }, { cookie });
    expect(await response.json()).toEqual({ username: 'bob' });
    expect((await disconnect)[0]).toBe('io server disconnect');
  });

  it.each(['polling', 'websocket'] as const)(
    'disconnects a %s socket within one check interval of its session expiring',
    async (transport) => {
      const lesson = await startLesson(createApp, { sessionTtlMs: 400, sessionCheckMs: 50 });
      const socket = clientWith(lesson, { cookie: await login(lesson) }, { transport });
      await nextEvent(socket, 'welcome');
      const started = Date.now();
      const disconnect = nextEvent(socket, 'disconnect', 2000);
      // Chatting does not renew the session: only HTTP requests to Express do.
      const chatter = setInterval(() => socket.emit('chat', 'still here', () => {}), 100);
      try {
        expect((await disconnect)[0]).toBe('io server disconnect');
      } finally {
        clearInterval(chatter);
      }
      expect(Date.now() - started).toBeLessThan(400 + 50 + 300);
    },
  );

  it('renews the session on each HTTP request that carries the cookie (rolling)', async () => {
    const lesson = await startLesson(createApp, { sessionTtlMs: 400, sessionCheckMs: 50 });
    const cookie = await login(lesson);
    const socket = clientWith(lesson, { cookie });
    await nextEvent(socket, 'welcome');
    const keepAlive = setInterval(() => fetch(`${lesson.url}/me`, { headers: { cookie } }), 100);
    try {
      await noEvent(socket, 'disconnect', 700);
    } finally {
      clearInterval(keepAlive);
    }
    expect((await nextEvent(socket, 'disconnect', 2000))[0]).toBe('io server disconnect');
  });
});
