// One test per attack. Each proves that the attack fails AND that the server
// still serves an honest client afterwards. The tests run concurrently, each
// with its own server, so their waits overlap.
import { connectError, nextEvent, noEvent } from '@lessons/test-kit';
import { describe, expect, it } from 'vitest';
import {
  clientWith,
  login,
  logout,
  ownedBy,
  postLogin,
  sessionCookie,
  sessionIdOf,
  WAIT_MS,
  welcomed,
} from './helpers.ts';

type Lesson = { url: string };

/** A new connection of bob's logs in, is welcomed, chats and is acknowledged: the server still works. */
async function expectStillServing(lesson: Lesson, cookie?: string) {
  const bob = clientWith(lesson, { cookie: cookie ?? (await login(lesson, 'bob')) });
  try {
    expect(await welcomed(bob)).toEqual({ username: 'bob' });
    expect(await bob.timeout(WAIT_MS).emitWithAck('chat', 'still here')).toEqual({ ok: true });
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

describe.concurrent('hostile clients', () => {
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
