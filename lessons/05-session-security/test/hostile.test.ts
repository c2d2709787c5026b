// One test per attack. Each proves that the attack fails AND that the server
// still serves an honest client afterwards. The tests run concurrently, each
// with its own server, so their waits overlap.
import { once } from 'node:events';
import { connectError, nextEvent, noEvent } from '@lessons/test-kit';
import session from 'express-session';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  clientWith,
  closedByServer,
  frame,
  login,
  logout,
  ownedBy,
  pollingHandshake,
  pollingUrl,
  postLogin,
  postLoginFrom,
  rawWebSocket,
  sessionCookie,
  sessionIdOf,
  WAIT_MS,
  welcomed,
} from './helpers.ts';

type Lesson = { url: string };

/**
 * A new connection of bob's logs in, is welcomed and answered: the server still
 * works. It asks whoami, which the starter ships, so that the tests of the
 * exercises before chat-checks need no chat; the chat attacks check chat themselves.
 */
async function expectStillServing(lesson: Lesson, cookie?: string) {
  const bob = clientWith(lesson, { cookie: cookie ?? (await login(lesson, 'bob')) });
  try {
    expect(await welcomed(bob), 'after the attack, a new socket of bob').toEqual({
      username: 'bob',
    });
    expect(
      await bob.timeout(WAIT_MS).emitWithAck('whoami'),
      'after the attack, whoami from a new socket of bob',
    ).toEqual({ username: 'bob' });
  } finally {
    bob.close();
  }
}

/** The socket.io error a client gets when it connects with these headers. */
async function refusal(
  lesson: Lesson,
  headers: Record<string, string>,
  transport?: 'polling' | 'websocket',
) {
  return (
    await connectError(lesson, { extraHeaders: headers, ...(transport ? { transport } : {}) })
  ).message;
}

/** Replace one character of the cookie's signature, keeping it the same length. */
function tamper(cookie: string, at: 'id' | 'signature'): string {
  const value = decodeURIComponent(cookie.slice('sid='.length)); // s:<id>.<signature>
  const index = at === 'id' ? 2 : value.length - 2;
  const swapped = value[index] === 'A' ? 'B' : 'A';
  return `sid=${encodeURIComponent(value.slice(0, index) + swapped + value.slice(index + 1))}`;
}

/** A page of another port of this host: same site as the lesson, so the SameSite=Lax cookie goes along. */
const sameSite = (lesson: Lesson & { port: number }) => `http://localhost:${lesson.port + 1}`;

/** The reasons, in order, for which Engine.IO refused requests from now on. */
function refusals(lesson: { io: { engine: { on(event: string, listener: never): unknown } } }) {
  const reasons: string[] = [];
  const listener = (error: { req: { refusal?: string }; context?: { message?: string } }) =>
    reasons.push(error.req.refusal ?? error.context?.message ?? '');
  lesson.io.engine.on('connection_error', listener as never);
  return reasons;
}

describe.concurrent('hostile clients: a socket without a logged-in session of its own', () => {
  it('no cookie: refused with unauthorized, over polling and over WebSocket', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    expect(await refusal(lesson, {}, 'polling')).toBe('unauthorized');
    expect(await refusal(lesson, {}, 'websocket')).toBe('unauthorized');
    await expectStillServing(lesson);
  });

  it('a forged session id, unsigned or signed with another secret: refused', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const elsewhere = await start({ secret: 'the attacker’s own server' });
    const signedElsewhere = await login(elsewhere, 'alice');
    expect(await refusal(lesson, { cookie: signedElsewhere })).toBe('unauthorized');
    expect(await refusal(lesson, { cookie: `sid=${sessionIdOf(signedElsewhere)}` })).toBe(
      'unauthorized',
    );
    expect(await refusal(lesson, { cookie: 'sid=s%3Aadmin.forged' })).toBe('unauthorized');
    await expectStillServing(lesson);
  });

  it('a tampered cookie, in its signature or in its id: refused', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const cookie = await login(lesson, 'alice');
    expect(await refusal(lesson, { cookie: tamper(cookie, 'signature') })).toBe('unauthorized');
    expect(await refusal(lesson, { cookie: tamper(cookie, 'id') })).toBe('unauthorized');
    await expectStillServing(lesson);
  });

  it('the cookie of a logged-out session: refused', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const cookie = await login(lesson, 'alice');
    expect((await logout(lesson, cookie)).status).toBe(204);
    expect(await refusal(lesson, { cookie }, 'polling')).toBe('unauthorized');
    expect(await refusal(lesson, { cookie }, 'websocket')).toBe('unauthorized');
    await expectStillServing(lesson);
  });

  it('a CONNECT reads the session from the store, not the copy taken at the handshake', async (context) => {
    const store = new session.MemoryStore();
    const { start } = ownedBy(context);
    // A check interval far beyond the test: only the CONNECT itself can notice.
    const lesson = await start({ store, sessionCheckMs: 60_000 });
    const cookie = await login(lesson, 'alice');
    const ws = await rawWebSocket(lesson, { cookie }, context);
    await new Promise<void>((resolve) => store.destroy(sessionIdOf(cookie), () => resolve()));
    const refused = frame(ws, '44');
    ws.send('40');
    expect(JSON.parse((await refused).slice(2))).toEqual({ message: 'unauthorized' });
    expect(lesson.io.of('/').sockets.size).toBe(0);
    await expectStillServing(lesson);
  });
});

describe.concurrent('hostile clients: session fixation', () => {
  it('session fixation: a session id planted before login is not the one used after', async (context) => {
    const { start, client } = ownedBy(context);
    const lesson = await start();
    // The attacker holds a real session (their own login) and plants its cookie in the victim's browser.
    const planted = await login(lesson, 'bob');
    const response = await postLogin(
      lesson,
      { username: 'alice', password: 'wonderland' },
      { cookie: planted },
    );
    expect(await response.json()).toEqual({ username: 'alice' });
    const victim = sessionCookie(response);
    expect(sessionIdOf(victim)).not.toBe(sessionIdOf(planted));
    // The planted cookie opens nothing, least of all a socket as alice.
    expect(await refusal(lesson, { cookie: planted })).toBe('unauthorized');
    expect((await fetch(`${lesson.url}/me`, { headers: { cookie: planted } })).status).toBe(401);
    // An id the attacker made up is never adopted either.
    const chosen = await postLogin(
      lesson,
      { username: 'alice', password: 'wonderland' },
      { cookie: 'sid=attacker-chosen-id' },
    );
    await chosen.json();
    expect(sessionIdOf(sessionCookie(chosen))).not.toBe('attacker-chosen-id');
    const socket = client(lesson, { cookie: victim });
    expect(await welcomed(socket)).toEqual({ username: 'alice' });
    await expectStillServing(lesson);
  });
});

describe.concurrent('hostile pages: the origin check covers every Engine.IO request, not only the handshake', () => {
  it.for([
    ['websocket', 'websocket error', 'Unexpected server response: 400'],
    ['polling', 'xhr poll error', '403'],
  ] as const)(
    'a cross-origin handshake with a valid cookie over %s: refused by allowRequest',
    async ([transport, clientMessage, httpAnswer], context) => {
      const { start } = ownedBy(context);
      const lesson = await start();
      const cookie = await login(lesson, 'alice');
      const refused: unknown[] = [];
      lesson.io.engine.on('connection_error', (error: { code: number; context: unknown }) => {
        refused.push([error.code, error.context]);
      });
      // A page on another site, on another port of this host (same site!), and a sandboxed frame.
      for (const origin of [
        'https://evil.example',
        `http://localhost:${lesson.port + 1}`,
        'null',
      ]) {
        const error = await connectError(lesson, { transport, extraHeaders: { cookie, origin } });
        expect(error.message).toBe(clientMessage);
        // What the HTTP answer was, as the client's transport reports it.
        const { description } = error as Error & { description?: { message?: string } | number };
        expect(String(typeof description === 'object' ? description.message : description)).toBe(
          httpAnswer,
        );
      }
      expect(refused).toEqual(Array(3).fill([4, { message: 'origin not allowed' }])); // 4: Forbidden
      expect(lesson.io.of('/').sockets.size).toBe(0);
      await expectStillServing(lesson);
    },
  );

  it('refuses a JSONP handshake (j=…), which would hand any page the sid, before it reads the session', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const cookie = await login(lesson, 'alice');
    // A <script> tag sends no Origin; that is what a same-site page would load.
    const response = await fetch(pollingUrl(lesson, undefined, '&j=0'), { headers: { cookie } });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ code: 4, message: 'JSONP not allowed' });
    expect(lesson.io.engine.clientsCount).toBe(0);
    await expectStillServing(lesson);
  });

  it('refuses a handshake without Origin whose fetch metadata says it comes from another page', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const cookie = await login(lesson, 'alice');
    // Node's fetch sends Sec-Fetch-Mode: cors whatever it is told; the page test tries the other modes.
    for (const site of ['same-site', 'cross-site', 'none']) {
      const response = await fetch(pollingUrl(lesson), {
        headers: { cookie, 'sec-fetch-site': site, 'sec-fetch-mode': 'cors' },
      });
      expect(await response.json(), site).toEqual({ code: 4, message: 'not from this origin' });
    }
    // Our own page's XHR: same-origin, cors. A script sends no Sec-Fetch-Site at all.
    const own = { cookie, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' };
    expect(await pollingHandshake(lesson, own)).toMatch(/./);
    expect(await pollingHandshake(lesson, { cookie })).toMatch(/./);
  });

  it('refuses a stolen sid used from another page: polling GET and POST, and the upgrade to WebSocket', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const cookie = await login(lesson, 'alice');
    const reasons = refusals(lesson);
    const sid = await pollingHandshake(lesson, { cookie });
    const origin = sameSite(lesson);
    // A CONNECT (40) posted from the other page: the browser sends its Origin on every POST.
    const post = await fetch(pollingUrl(lesson, sid), {
      method: 'POST',
      headers: { cookie, origin, 'content-type': 'text/plain;charset=UTF-8' },
      body: '40',
    });
    expect(post.status).toBe(400);
    await post.text();
    const poll = await fetch(pollingUrl(lesson, sid), {
      headers: { cookie, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors' },
    });
    expect(poll.status).toBe(400);
    await poll.text();
    // allowRequest never sees this upgrade: it carries a sid.
    const upgrade = new WebSocket(
      `ws://127.0.0.1:${lesson.port}/socket.io/?EIO=4&transport=websocket&sid=${sid}`,
      { headers: { cookie, origin } },
    );
    upgrade.on('error', () => {}); // the refusal comes as 'unexpected-response'
    context.onTestFinished(() => upgrade.terminate());
    const [, answer] = await once(upgrade, 'unexpected-response');
    expect((answer as { statusCode: number }).statusCode).toBe(400);
    expect(reasons).toEqual(['origin not allowed', 'not from this origin', 'origin not allowed']);
    expect(lesson.io.of('/').sockets.size).toBe(0);
    // The owner of the sid, a script without Origin, still connects on it.
    const connect = await fetch(pollingUrl(lesson, sid), { method: 'POST', body: '40' });
    expect(await connect.text()).toBe('ok');
    await context.expect.poll(() => lesson.io.of('/').sockets.size).toBe(1);
    await expectStillServing(lesson);
  });
});

describe.concurrent('hostile messages: checked before anything is sent', () => {
  it.for([
    ['websocket', 'transport close'],
    ['polling', 'transport error'],
  ] as const)(
    'an oversized payload over %s: closes that socket only',
    async ([transport, reason], context) => {
      const { start, client } = ownedBy(context);
      const lesson = await start();
      const [alice, bob] = await Promise.all([login(lesson, 'alice'), login(lesson, 'bob')]);
      const cookies = { alice, bob };
      const attacker = client(lesson, { cookie: cookies.alice }, { transport });
      const bystander = client(lesson, { cookie: cookies.bob });
      await Promise.all([welcomed(attacker), welcomed(bystander)]);
      const disconnect = nextEvent(attacker, 'disconnect', WAIT_MS);
      attacker.emit('chat', 'x'.repeat(17 * 1024), () => {});
      expect((await disconnect)[0]).toBe(reason);
      expect(await bystander.timeout(WAIT_MS).emitWithAck('chat', 'still here')).toEqual({
        ok: true,
      });
      await expectStillServing(lesson, cookies.bob);
    },
  );

  it('a thousand malformed chat arguments: each acknowledged with an error, none broadcast', async (context) => {
    // Lift the rate limit, so that validation, not the limiter, answers every one.
    const { start, client } = ownedBy(context);
    const lesson = await start({ chatRate: { max: 10_000, perMs: 1000 } });
    const [alice, bob] = await Promise.all([login(lesson, 'alice'), login(lesson, 'bob')]);
    const cookies = { alice, bob };
    const attacker = client(lesson, { cookie: cookies.alice }, { transport: 'websocket' });
    const bystander = client(lesson, { cookie: cookies.bob });
    await Promise.all([welcomed(attacker), welcomed(bystander)]);

    let nested: unknown = 'deep';
    for (let depth = 0; depth < 500; depth++) nested = { text: nested };
    const shapes: unknown[] = [
      undefined,
      null,
      0,
      42,
      -1,
      true,
      false,
      '',
      'x'.repeat(501),
      'y'.repeat(15_000),
      '😀'.repeat(251),
      [],
      ['hello'],
      {},
      { text: 'hello' },
      { toString: 'hello' },
      { __proto__: { text: 'hello' } },
      nested,
      Buffer.from('hello'),
      [[[[['hello']]]]],
    ];
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 1000; i++) {
      const shape = shapes[i % shapes.length];
      const untyped = attacker.timeout(WAIT_MS) as unknown as {
        emitWithAck(event: string, ...args: unknown[]): Promise<unknown>;
      };
      // Each shape alone, then after a valid text (an extra argument).
      const alone = Math.floor(i / shapes.length) % 2 === 0;
      sends.push(
        alone ? untyped.emitWithAck('chat', shape) : untyped.emitWithAck('chat', 'hi', shape),
      );
    }
    // Without an ack there is no one to answer: the server drops it.
    (attacker as unknown as { emit(event: string, ...args: unknown[]): void }).emit(
      'chat',
      'no ack',
    );
    const acks = await Promise.all(sends);
    expect(acks).toHaveLength(1000);
    for (const ack of acks) expect(ack).toEqual({ error: expect.any(String) });
    await noEvent(bystander, 'chat');
    expect(attacker.connected).toBe(true);
    await expectStillServing(lesson, cookies.bob);
  });
});

describe.concurrent('floods: limits per session, whatever the number of sockets', () => {
  it('a flood of a thousand chats: ten a second get through, the rest are rate limited', async (context) => {
    const { start, client } = ownedBy(context);
    const lesson = await start();
    const [alice, bob] = await Promise.all([login(lesson, 'alice'), login(lesson, 'bob')]);
    const cookies = { alice, bob };
    const attacker = client(lesson, { cookie: cookies.alice }, { transport: 'websocket' });
    const bystander = client(lesson, { cookie: cookies.bob });
    await Promise.all([welcomed(attacker), welcomed(bystander)]);
    let delivered = 0;
    bystander.on('chat', () => delivered++);

    const started = Date.now();
    const acks = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        attacker.timeout(WAIT_MS).emitWithAck('chat', `spam ${i}`),
      ),
    );
    // At most 10 in any second: exactly 10 unless the flood took over a second to answer.
    const seconds = Math.ceil((Date.now() - started) / 1000);
    const ok = acks.filter((ack) => 'ok' in ack).length;
    expect(ok).toBeGreaterThanOrEqual(10);
    expect(ok).toBeLessThanOrEqual(10 * seconds);
    expect(acks.filter((ack) => 'error' in ack && ack.error === 'rate limited')).toHaveLength(
      1000 - ok,
    );
    await context.expect.poll(() => delivered, { timeout: WAIT_MS }).toBe(ok);
    await noEvent(bystander, 'chat');
    expect(delivered).toBe(ok);
    await expectStillServing(lesson, cookies.bob);
  });

  it('one socket per connection: 3,000 CONNECTs in one 9 KB POST make one socket, and close the connection', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const cookie = await login(lesson, 'alice');
    const sid = await pollingHandshake(lesson, { cookie });
    const body = Array(3000).fill('40').join('\x1e'); // Engine.IO's record separator
    const post = await fetch(pollingUrl(lesson, sid), {
      method: 'POST',
      headers: { cookie },
      body,
    });
    await post.text();
    await context.expect.poll(() => lesson.io.engine.clientsCount).toBe(0);
    expect(lesson.io.of('/').sockets.size).toBe(0);
    await expectStillServing(lesson);
  });

  it('the chat budget is per session: two tabs and a reconnect share ten a second', async (context) => {
    const { start, client } = ownedBy(context);
    const lesson = await start();
    const cookie = await login(lesson, 'alice');
    const tabs = [1, 2].map(() => client(lesson, { cookie }, { transport: 'websocket' }));
    await Promise.all(tabs.map((tab) => welcomed(tab)));
    const flood = (tab: (typeof tabs)[number]) =>
      Promise.all(Array.from({ length: 10 }, () => tab.timeout(WAIT_MS).emitWithAck('chat', 'hi')));
    const acks = (await Promise.all(tabs.map(flood))).flat();
    expect(acks.filter((ack) => 'ok' in ack)).toHaveLength(10);
    for (const tab of tabs) tab.close();
    const again = client(lesson, { cookie }, { transport: 'websocket' });
    await welcomed(again);
    expect(await again.timeout(WAIT_MS).emitWithAck('chat', 'hi')).toEqual({
      error: 'rate limited',
    });
    await expectStillServing(lesson);
  });

  it('a session holds at most connectionLimits.perSession connections, however fast they open', async (context) => {
    const { start, client } = ownedBy(context);
    const lesson = await start({ connectionLimits: { perSession: 3 } });
    const cookie = await login(lesson, 'alice');
    const reasons = refusals(lesson);
    // Twenty handshakes at once: allowRequest counts before any of them is open.
    const attempts = await Promise.allSettled(
      Array.from({ length: 20 }, () => rawWebSocket(lesson, { cookie }, context)),
    );
    expect(attempts.filter((attempt) => attempt.status === 'fulfilled').length).toBeLessThanOrEqual(
      3,
    );
    await context.expect.poll(() => lesson.io.engine.clientsCount).toBeLessThanOrEqual(3);
    for (const attempt of attempts) if (attempt.status === 'fulfilled') attempt.value.terminate();
    await context.expect.poll(() => lesson.io.engine.clientsCount).toBe(0);
    // One at a time, the fourth is refused with the reason.
    const tabs = [1, 2, 3].map(() => client(lesson, { cookie }, { transport: 'websocket' }));
    await Promise.all(tabs.map((tab) => welcomed(tab)));
    expect(await refusal(lesson, { cookie }, 'websocket')).toBe('websocket error');
    expect(reasons.at(-1)).toBe('too many connections');
    await expectStillServing(lesson);
  });

  it('a client that stops polling is dropped once the server has queued connectionLimits.queuedBytes for it', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start({
      connectionLimits: { queuedBytes: 2048 },
      chatRate: { max: 1000, perMs: 1000 },
    });
    const [alice, bob] = await Promise.all([login(lesson, 'alice'), login(lesson, 'bob')]);
    // Alice connects over polling by hand, then never polls again.
    const sid = await pollingHandshake(lesson, { cookie: alice });
    const connect = await fetch(pollingUrl(lesson, sid), {
      method: 'POST',
      headers: { cookie: alice },
      body: '40',
    });
    expect(await connect.text()).toBe('ok');
    await context.expect.poll(() => lesson.io.of('/').sockets.size).toBe(1);
    const [silent] = [...lesson.io.of('/').sockets.values()];
    const dropped = nextEvent(silent?.conn as never, 'close', WAIT_MS);
    const chatter = clientWith(lesson, { cookie: bob }, { transport: 'websocket' });
    context.onTestFinished(() => {
      chatter.close();
    });
    await welcomed(chatter);
    // One at a time, so that Bob, who reads, never has more than a few packets queued.
    const text = 'x'.repeat(100);
    for (let i = 0; i < 25; i++) await chatter.timeout(WAIT_MS).emitWithAck('chat', text);
    expect((await dropped)[0]).toBe('forced close');
    await expectStillServing(lesson, bob);
  });
});

describe.concurrent('logout ends every connection of the session, with a socket or not', () => {
  it('logout closes a connection that has not sent CONNECT yet, so it cannot connect later', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const cookie = await login(lesson, 'alice');
    const ws = await rawWebSocket(lesson, { cookie }, context);
    expect((await logout(lesson, cookie)).status).toBe(204);
    await closedByServer(ws);
    await expectStillServing(lesson);
  });

  it('a socket that disconnects takes its connection along: no parking it for a CONNECT after logout', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const cookie = await login(lesson, 'alice');
    const ws = await rawWebSocket(lesson, { cookie }, context);
    const welcome = frame(ws, '42["welcome"');
    ws.send('40');
    await welcome;
    ws.send('41'); // DISCONNECT from "/", keeping the Engine.IO connection
    await closedByServer(ws);
    await expectStillServing(lesson);
  });
});

describe.concurrent('expiry ends every connection of an ended session, with a socket or not', () => {
  it('an expired session: its socket is disconnected, chatting or not, and its cookie refused', async (context) => {
    const { start, client } = ownedBy(context);
    const ttl = 600;
    const lesson = await start({ sessionTtlMs: ttl, sessionCheckMs: 50 });
    const beforeLogin = Date.now();
    const cookie = await login(lesson, 'alice');
    // Long-polling, which would renew the session on every request if the
    // session middleware ran on more than the handshake.
    const socket = client(lesson, { cookie }, { transport: 'polling' });
    await welcomed(socket);
    const disconnect = nextEvent(socket, 'disconnect', ttl + WAIT_MS);
    const chatter = setInterval(() => socket.emit('chat', 'still here', () => {}), 100);
    try {
      expect((await disconnect)[0]).toBe('io server disconnect');
    } finally {
      clearInterval(chatter);
    }
    expect(Date.now() - beforeLogin).toBeGreaterThanOrEqual(ttl);
    expect(await refusal(lesson, { cookie })).toBe('unauthorized');
    await expectStillServing(lesson);
  });

  it('expiry closes the connections of an ended session that have no socket', async (context) => {
    const store = new session.MemoryStore();
    const { start } = ownedBy(context);
    const lesson = await start({ store, sessionCheckMs: 50 });
    const cookie = await login(lesson, 'alice');
    const ws = await rawWebSocket(lesson, { cookie }, context);
    await new Promise<void>((resolve) => store.destroy(sessionIdOf(cookie), () => resolve()));
    await closedByServer(ws);
    await expectStillServing(lesson);
  });
});

describe.concurrent('login throttling, before the password is hashed', () => {
  const wrong = { username: 'alice', password: 'guess' };
  const right = { username: 'alice', password: 'wonderland' };

  it('after perAddress failed logins from one address, refuses the next with 429 and Retry-After, the right password included; another address still logs in', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start({ loginLimits: { perAddress: { max: 3, perMs: 60_000 } } });
    for (let i = 0; i < 3; i++) expect((await postLogin(lesson, wrong)).status).toBe(401);
    const refused = await postLogin(lesson, right);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(await refused.json()).toEqual({ error: expect.any(String) });
    expect(refused.headers.getSetCookie()).toEqual([]);
    expect((await postLoginFrom(lesson, right, '127.0.0.2')).status).toBe(200);
  });

  it('counts the failed logins of one username from every address', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start({ loginLimits: { perUser: { max: 3, perMs: 60_000 } } });
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
      expect((await postLoginFrom(lesson, wrong, address)).status).toBe(401);
    }
    expect((await postLoginFrom(lesson, right, '127.0.0.5')).status).toBe(429);
    // Another user, from the same addresses, is not held back.
    const bob = await postLoginFrom(lesson, { username: 'bob', password: 'builder' }, '127.0.0.2');
    expect(bob.status).toBe(200);
  });

  it('hashes at most perAddressAtOnce logins of one address at a time and refuses the rest at once', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start({ loginLimits: { perAddress: { max: 100, perMs: 60_000 } } });
    // An unknown user: checked against a hash of the full cost, as slow as a real account's.
    const unknown = { username: 'mallory', password: 'guess' };
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () =>
        postLoginFrom(lesson, unknown, '127.0.0.2').then(({ status }) => status),
      ),
    );
    // Two hashed at once; a request that arrives after one of them has finished
    // may be hashed too, on a busy machine. Every other one is refused unhashed.
    const hashed = statuses.filter((status) => status === 401).length;
    expect(hashed).toBeGreaterThanOrEqual(2);
    expect(hashed).toBeLessThanOrEqual(6);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20 - hashed);
    expect((await postLogin(lesson, right)).status).toBe(200);
  });
});
