// Three cluster workers behind the sticky primary, with the Redis streams adapter.
import { kitFor } from '@lessons/test-kit';
import { DEEP_JSON } from '@lessons/test-kit/server-process';
import { describe, expect, it } from 'vitest';
import type { Said } from '#target/events.ts';
import { ask, type Client, heard, http, join, login, next, useDeployment } from './scaled.ts';

const deployment = useDeployment({ workers: 3 });
const url = () => deployment.urls()[0] ?? 'http://127.0.0.1:1';

describe.concurrent('the adapter: one app across 3 cluster workers', () => {
  it('spreads the clients over the workers, and io.emit reaches every one of them', async (context) => {
    const kit = kitFor(context);
    // One after the other: the primary counts a worker's sessions once it has reported them.
    const people = [];
    for (const name of ['ana', 'ben', 'cy', 'dee']) {
      people.push(await join(kit, url(), await login(url(), name)));
    }
    const workers = new Set(people.map(({ welcome }) => welcome.worker));
    expect(workers.size, 'the workers that 4 clients reached').toBeGreaterThanOrEqual(2);
    const ana = people[0] as (typeof people)[number];
    const said = people.map(({ socket }) => heard(socket, 'hello, every worker', 'ana to all'));
    expect(await ask(ana.socket, 'say', { text: 'hello, every worker' })).toEqual({ ok: true });
    for (const one of await Promise.all(said)) {
      expect(one, 'what each client heard').toEqual({
        from: 'ana',
        text: 'hello, every worker',
        worker: ana.welcome.worker,
      });
    }
  });

  it('serverSideEmit reaches every worker: workers answers 3 process ids', async (context) => {
    const kit = kitFor(context);
    const { socket } = await join(kit, url(), await login(url(), 'eve'));
    expect(await ask(socket, 'workers')).toEqual({ workers: expect.any(Array) });
    const { workers } = (await ask(socket, 'workers')) as { workers: number[] };
    expect(new Set(workers).size, `the workers that answered: ${workers}`).toBe(3);
  });

  it('socketsJoin puts every tab of a user, on every worker, in the room; io.to(room) reaches them only', async (context) => {
    const kit = kitFor(context);
    const cookie = await login(url(), 'fay');
    const first = await join(kit, url(), cookie);
    // Other tests connect meanwhile: open tabs until one lands on another worker.
    let second = await join(kit, url(), cookie);
    for (let i = 0; i < 3 && second.welcome.worker === first.welcome.worker; i++) {
      second = await join(kit, url(), cookie);
    }
    expect(second.welcome.worker, 'two tabs on two workers').not.toBe(first.welcome.worker);
    const gus = await join(kit, url(), await login(url(), 'gus'));
    expect(await ask(first.socket, 'join', 'attic')).toEqual({ ok: true });
    const text = 'anyone up there?';
    const said = [first, second].map(({ socket }) => heard(socket, text, 'gus to the attic'));
    const gusHeard: Said[] = [];
    gus.socket.on('said', (one) => {
      if (one.from === 'gus') gusHeard.push(one);
    });
    const last = heard(gus.socket, 'never mind', 'the message to everyone after it');
    expect(await ask(gus.socket, 'say', { room: 'attic', text })).toEqual({ ok: true });
    for (const one of await Promise.all(said)) {
      expect(one).toMatchObject({ from: 'gus', room: 'attic', text });
    }
    // One stream, read in order by every worker: once gus hears this, he would have heard the first.
    await ask(gus.socket, 'say', { text: 'never mind' });
    await last;
    expect(
      gusHeard.map((one) => one.text),
      'what gus, not in the attic, heard of his own',
    ).toEqual(['never mind']);
  });

  it('disconnectSockets: a logout through one worker disconnects the session on every worker', async (context) => {
    const kit = kitFor(context);
    const cookie = await login(url(), 'hal');
    const tabs = [await join(kit, url(), cookie), await join(kit, url(), cookie)];
    const reasons = tabs.map(({ socket }) => next<string>(socket, 'disconnect', 'the logout'));
    expect((await http(`${url()}/logout`, { method: 'POST', cookie })).status).toBe(204);
    expect(await Promise.all(reasons)).toEqual(['io server disconnect', 'io server disconnect']);
  });
});

describe.concurrent('sticky sessions through the primary', () => {
  it('long-polling clients (no WebSocket) connect and talk, request after request', async (context) => {
    const kit = kitFor(context);
    const people = [];
    for (const name of ['ida', 'jo', 'kim']) {
      people.push(await join(kit, url(), await login(url(), name), { transports: ['polling'] }));
    }
    expect(new Set(people.map(({ welcome }) => welcome.worker)).size).toBeGreaterThanOrEqual(2);
    for (const { socket } of people) {
      for (const text of [`one from ${socket.id}`, `two from ${socket.id}`]) {
        const mine = heard(socket, text, 'my own say');
        expect(await ask(socket, 'say', { text })).toEqual({ ok: true });
        await mine;
      }
    }
  });

  it('every request of an Engine.IO session reaches the worker that holds it', async () => {
    const handshake = await http(`${url()}/socket.io/?EIO=4&transport=polling`);
    expect(handshake.status).toBe(200);
    const sid = String(handshake.body).match(/"sid":"([\w-]+)"/)?.[1];
    for (let i = 0; i < 6; i++) {
      // A noop packet (6): Engine.IO answers "ok" on the worker that knows the sid, 400 elsewhere.
      const poll = await http(`${url()}/socket.io/?EIO=4&transport=polling&sid=${sid}&t=${i}`, {
        method: 'POST',
        text: '6',
      });
      expect(poll, `request ${i + 1} with sid ${sid}`).toMatchObject({ status: 200 });
    }
  });
});

/** The worker pids that answer `workers`, asked through `socket`. */
async function workerPids(socket: Client, when: string): Promise<number[]> {
  const reply = (await ask(socket, 'workers')) as { workers?: number[] };
  expect(reply, `workers, ${when}`).toEqual({ workers: expect.any(Array) });
  return reply.workers ?? [];
}

/** Socket.IO packets no honest client sends, each written as one Engine.IO message. */
const MALFORMED = [
  '', // no packet type
  '9', // no such packet type
  '2', // an EVENT without its array
  '2[', // JSON cut short
  '2{}', // an object, not an array
  '2[]', // no event name
  '2[1]', // an event name that is a number
  '2[null]',
  '2["say"', // cut short after the name
  '29999999999999999999999["say",{"text":"x"}]', // an acknowledgement id past 2^53
  '5-["say",{"_placeholder":true,"num":0}]', // a BINARY_EVENT without its count
  '51-["say",{"_placeholder":true,"num":7}]', // one attachment announced, none sent
  '0/admin,', // CONNECT to a namespace that does not exist
  '3["x"]', // an ACK for nothing
  `2["say",${DEEP_JSON}]`, // 20,000 nested arrays
  `2["${'x'.repeat(50_000)}"]`, // a 50 KB event name
];

/** Bad arguments to every event: each must be answered with { error }. */
const BAD_ARGS: [event: string, args: unknown[]][] = [
  ...[
    [],
    [null],
    [1],
    ['hi'],
    [{}],
    [{ text: 42 }],
    [{ text: '' }],
    [{ text: 'x'.repeat(501) }],
  ].map((args) => ['say', args] as [string, unknown[]]),
  ['say', [{ text: 'hi', room: {} }]],
  ['say', [{ text: 'hi', room: 'user:ana' }]],
  ...[[], [null], [7], [''], ['x'.repeat(41)], ['session:abc'], [{ room: 'a' }]].map(
    (args) => ['join', args] as [string, unknown[]],
  ),
  ...[[], [null], [7], [''], ['x'.repeat(61)], [['cellar']]].map(
    (args) => ['members', args] as [string, unknown[]],
  ),
];

describe('hostile frames against the workers', () => {
  it('malformed frames and bad arguments to every event never end a worker; the other clients keep working', async (context) => {
    const kit = kitFor(context);
    const pat = await join(kit, url(), await login(url(), 'pat'));
    const before = await workerPids(pat.socket, 'before the attack');
    const cookie = await login(url(), 'mallory');

    // Each malformed frame on a connection of its own (the server may close it), then a
    // question behind it: answered or closed, the frame has been read.
    // Four at a time: 16 handshakes at once through the primary took over 3 s on a loaded machine.
    const outcomes: string[] = [];
    for (let i = 0; i < MALFORMED.length; i += 4) {
      outcomes.push(
        ...(await Promise.all(
          MALFORMED.slice(i, i + 4).map(async (frame) => {
            const { socket } = await join(kit, url(), cookie, { transports: ['websocket'] });
            const closed = next<string>(
              socket,
              'disconnect',
              `after the frame ${frame.slice(0, 40)}`,
            );
            socket.io.engine.write(frame);
            const answered = ask(socket, 'workers').then(() => 'answered');
            return Promise.race([answered, closed.then(() => 'closed')]).catch(
              (error: Error) => `neither answered nor closed: ${error.message}`,
            );
          }),
        )),
      );
    }
    for (const [i, outcome] of outcomes.entries()) {
      expect(outcome, `after the frame ${MALFORMED[i]?.slice(0, 40)}`).toMatch(
        /^(answered|closed)$/,
      );
    }

    // Bad arguments, each with an acknowledgement: every one is answered with an error.
    const { socket: mallory } = await join(kit, url(), cookie);
    const replies = await Promise.all(
      BAD_ARGS.map(([event, args]) => {
        // The same without an acknowledgement too: dropped, never thrown.
        (mallory as unknown as { emit(event: string, ...args: unknown[]): void }).emit(
          event,
          ...args,
        );
        return ask(mallory, event as 'say', ...args);
      }),
    );
    for (const [i, [event, args]] of BAD_ARGS.entries()) {
      const label = `${event}(${JSON.stringify(args).slice(0, 60)})`;
      expect(replies[i], label).toEqual({ error: expect.any(String) });
    }
    // workers takes no arguments: junk before its acknowledgement is ignored. An event
    // with no handler is dropped.
    (mallory as unknown as { emit(event: string, ...args: unknown[]): void }).emit('nope', 1);
    expect(await ask(mallory, 'workers', { x: 1 }, [2]), 'workers({ x: 1 }, [2])').toEqual({
      workers: expect.any(Array),
    });
    expect(await workerPids(mallory, 'after the bad arguments'), 'still answering').toHaveLength(3);

    // No worker ended or was replaced, and pat, on the cluster all along, still hears everyone.
    expect(
      await workerPids(pat.socket, 'after the attack'),
      'the workers after the attack',
    ).toEqual(before);
    const said = heard(pat.socket, 'all quiet?', 'pat, after the attack');
    expect(await ask(mallory, 'say', { text: 'all quiet?' })).toEqual({ ok: true });
    expect(await said).toMatchObject({ from: 'mallory', text: 'all quiet?' });
    // 16 connections and 46 events: a busy machine (a class graded 2 at a time) needs more than 5 s.
  }, 15_000);
});

describe('one login for every worker', () => {
  it('holds on each worker the primary starts: one cookie, a socket on each, without SESSION_SECRET set', async (context) => {
    const kit = kitFor(context);
    const cookie = await login(url(), 'kim');
    // One after the other: the primary sends each new session to the least busy worker.
    const welcomes = [];
    for (const tab of [1, 2, 3]) {
      const { welcome } = await join(kit, url(), cookie).catch((error: Error) => {
        throw new Error(`kim's tab ${tab}: ${error.message}`);
      });
      welcomes.push(welcome);
    }
    expect(welcomes.map(({ username }) => username)).toEqual(['kim', 'kim', 'kim']);
    expect(
      new Set(welcomes.map(({ worker }) => worker)).size,
      'the workers that took kim’s cookie',
    ).toBeGreaterThanOrEqual(2);
  });
});

describe('members across workers', () => {
  it('lists the members of a room on every worker, one entry per socket', async (context) => {
    const kit = kitFor(context);
    const lou = await login(url(), 'lou');
    const tabs = [await join(kit, url(), lou), await join(kit, url(), lou)] as const;
    const max = await join(kit, url(), await login(url(), 'max'));
    for (const { socket } of [tabs[0], max]) {
      expect(await ask(socket, 'join', 'cellar')).toEqual({ ok: true });
    }
    const expected = [...tabs, max]
      .map(({ welcome }) => ({ username: welcome.username, worker: welcome.worker }))
      .sort((a, b) => a.username.localeCompare(b.username) || a.worker - b.worker);
    expect(await ask(max.socket, 'members', 'cellar'), 'members("cellar")').toEqual({
      members: expected,
    });
  });
});

describe('a worker dies', () => {
  it('its clients reconnect to another worker and keep hearing broadcasts', async (context) => {
    const kit = kitFor(context);
    const ned = await join(kit, url(), await login(url(), 'ned'), { reconnection: true });
    const olgaCookie = await login(url(), 'olga');
    let olga = await join(kit, url(), olgaCookie);
    for (let i = 0; i < 3 && olga.welcome.worker === ned.welcome.worker; i++) {
      olga = await join(kit, url(), olgaCookie);
    }
    expect(olga.welcome.worker, 'olga on another worker than ned').not.toBe(ned.welcome.worker);
    const again = next<{ worker: number }>(ned.socket, 'welcome', 'ned, reconnected');
    process.kill(ned.welcome.worker, 'SIGKILL');
    expect((await again).worker, 'the worker ned reconnected to').not.toBe(ned.welcome.worker);
    const said = heard(ned.socket, 'still here?', 'olga, after the crash');
    await ask(olga.socket, 'say', { text: 'still here?' });
    expect(await said).toMatchObject({ from: 'olga', text: 'still here?' });
  });
});
