import type { IncomingMessage } from 'node:http';
import {
  closeAll,
  connect,
  connectError,
  DEFAULT_TIMEOUT_MS,
  hear,
  kitFor,
  nextEvent,
  startLesson,
} from '@lessons/test-kit';
import { afterEach, describe, expect, it, onTestFinished, type TestContext, vi } from 'vitest';
import { createApp } from '#target/app.ts';
import type { Said, Whispered } from '#target/events.ts';
import { ask, type Person, person } from './people.ts';

afterEach(closeAll);

describe('the handshake query', () => {
  it('arrives in socket.handshake.query from the URL: io("/?name=ana&room=kitchen")', async () => {
    const lesson = await startLesson(createApp);
    const ana: Person = await connect(`${lesson.url}/?name=ana&room=kitchen`);
    expect(await ask(ana).emitWithAck('join', 'kitchen')).toEqual({
      rooms: ['kitchen', 'user:ana'],
    });
    const [serverSide] = await lesson.io.fetchSockets();
    expect(serverSide?.handshake.query).toMatchObject({ name: 'ana', room: 'kitchen' });
  });

  it('arrives the same from the query option: io(url, { query: { name, room } })', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana', 'kitchen');
    expect(await ask(ana).emitWithAck('join', 'kitchen')).toEqual({
      rooms: ['kitchen', 'user:ana'],
    });
    const [serverSide] = await lesson.io.fetchSockets();
    expect(serverSide?.handshake.query).toMatchObject({ name: 'ana', room: 'kitchen' });
  });

  it('carries Engine.IO’s own parameters too: EIO and transport', async () => {
    const lesson = await startLesson(createApp);
    await person(lesson, 'ana', undefined, { transport: 'websocket' });
    const [serverSide] = await lesson.io.fetchSockets();
    expect(serverSide?.handshake.query).toMatchObject({ EIO: '4', transport: 'websocket' });
  });

  it('puts a socket whose query names no room in lobby, and in user:<name>', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana');
    expect(await ask(ana).emitWithAck('join', 'lobby')).toEqual({ rooms: ['lobby', 'user:ana'] });
  });

  it('refuses a connection without a name: connect_error "name required"', async () => {
    const lesson = await startLesson(createApp);
    expect((await connectError(lesson)).message).toBe('name required');
    expect((await connectError(`${lesson.url}/?name=`)).message).toBe('name required');
    expect((await connectError(lesson, { query: { room: 'kitchen' } })).message).toBe(
      'name required',
    );
    expect(await lesson.io.fetchSockets()).toHaveLength(0);
  });

  it('refuses a room the rules reject, with the reason in connect_error', async () => {
    const lesson = await startLesson(createApp);
    const error = await connectError(lesson, { query: { name: 'ana', room: 'user:ben' } });
    expect(error.message).toBe('rooms starting with "user:" are reserved');
  });
});

describe('auth', () => {
  it('travels in the CONNECT packet, never in a URL the way the query does', async () => {
    const lesson = await startLesson(createApp);
    // Every URL the server is asked for: the lines an access log or a proxy would keep.
    const urls: string[] = [];
    const record = (request: IncomingMessage) => urls.push(request.url ?? '');
    lesson.httpServer.on('request', record).on('upgrade', record);

    await connect(lesson, { query: { name: 'ana' }, auth: { token: 's3cret' } });
    const [serverSide] = await lesson.io.fetchSockets();
    expect(serverSide?.handshake.auth).toEqual({ token: 's3cret' });
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.every((url) => url.includes('name=ana'))).toBe(true);
    expect(urls.some((url) => url.includes('s3cret'))).toBe(false);
  });
});

describe('join and leave', () => {
  it('acknowledge the rooms the socket is in, without its own id, sorted', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana');
    await ask(ana).emitWithAck('join', 'pantry');
    expect(await ask(ana).emitWithAck('join', 'attic')).toEqual({
      rooms: ['attic', 'lobby', 'pantry', 'user:ana'],
    });
    expect(await ask(ana).emitWithAck('leave', 'lobby')).toEqual({
      rooms: ['attic', 'pantry', 'user:ana'],
    });
  });

  it('refuse room names that are empty, longer than 40 characters, or not strings', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana');
    const tooLong = 'x'.repeat(41);
    const error = { error: 'room names are 1 to 40 characters' };
    expect(await ask(ana).emitWithAck('join', '')).toEqual(error);
    expect(await ask(ana).emitWithAck('join', tooLong)).toEqual(error);
    expect(await ask(ana).emitWithAck('join', 42 as unknown as string)).toEqual(error);
    expect(await ask(ana).emitWithAck('leave', '')).toEqual(error);
    expect(await ask(ana).emitWithAck('join', 'x'.repeat(40))).toEqual({
      rooms: ['lobby', 'user:ana', 'x'.repeat(40)],
    });
  });

  it('refuse rooms starting with "user:", so nobody can join or leave a person’s room', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana');
    await person(lesson, 'ben');
    const error = { error: 'rooms starting with "user:" are reserved' };
    expect(await ask(ana).emitWithAck('join', 'user:ben')).toEqual(error);
    expect(await ask(ana).emitWithAck('leave', 'user:ana')).toEqual(error);
  });

  it('refuse a room named after a socket id, which would receive what is sent to that socket', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana');
    const ben = await person(lesson, 'ben');
    expect(await ask(ana).emitWithAck('join', ben.id as string)).toEqual({
      error: 'that room belongs to a socket',
    });
  });
});

describe('socket.rooms', () => {
  it('always holds a room named after the socket’s id, which io.to(socket.id) reaches', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana');
    const [serverSide] = await lesson.io.fetchSockets();
    expect([...(serverSide?.rooms ?? [])].sort()).toEqual([ana.id, 'lobby', 'user:ana'].sort());

    const said = nextEvent(ana, 'said');
    lesson.io.to(ana.id as string).emit('said', { from: 'server', room: 'none', text: 'hi' });
    expect(await said).toEqual([{ from: 'server', room: 'none', text: 'hi' }]);
  });
});

describe('a room', () => {
  it('exists only while it has members: the first join creates it, the last leave deletes it', async () => {
    const lesson = await startLesson(createApp);
    const rooms = lesson.io.of('/').adapter.rooms;
    const ana = await person(lesson, 'ana');
    const ben = await person(lesson, 'ben');
    expect(rooms.has('attic')).toBe(false);

    await ask(ana).emitWithAck('join', 'attic');
    await ask(ben).emitWithAck('join', 'attic');
    expect(rooms.get('attic')?.size).toBe(2);

    await ask(ana).emitWithAck('leave', 'attic');
    expect(rooms.get('attic')?.size).toBe(1);
    await ask(ben).emitWithAck('leave', 'attic');
    expect(rooms.has('attic')).toBe(false);
  });
});

describe('a disconnect', () => {
  it('leaves every room: socket.rooms is still full in "disconnecting", empty in "disconnect"', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana', 'kitchen');
    const id = ana.id as string;
    const serverSide = lesson.io.of('/').sockets.get(id);
    if (!serverSide) throw new Error('ana has no server-side socket');
    const seen: Record<string, string[]> = {};
    serverSide.on('disconnecting', () => {
      seen.disconnecting = [...serverSide.rooms].sort();
    });
    const disconnected = nextEvent(serverSide, 'disconnect');
    serverSide.on('disconnect', () => {
      seen.disconnect = [...serverSide.rooms];
    });

    ana.disconnect();
    await disconnected;
    expect(seen).toEqual({
      disconnecting: [id, 'kitchen', 'user:ana'].sort(),
      disconnect: [],
    });
  });

  it('removes the person from their rooms’ members, and deletes the rooms left empty', async () => {
    const lesson = await startLesson(createApp);
    const rooms = lesson.io.of('/').adapter.rooms;
    const ana = await person(lesson, 'ana', 'kitchen');
    const ben = await person(lesson, 'ben', 'kitchen');
    await ask(ben).emitWithAck('join', 'attic');
    expect(await ask(ana).emitWithAck('members', 'kitchen')).toEqual({ members: ['ana', 'ben'] });

    const deleted = nextEvent(lesson.io.of('/').adapter, 'delete-room');
    ben.disconnect();
    await deleted;
    expect(await ask(ana).emitWithAck('members', 'kitchen')).toEqual({ members: ['ana'] });
    expect(rooms.has('attic')).toBe(false);
    expect(rooms.has('user:ben')).toBe(false);
  });
});

describe('a malformed message', () => {
  it('gets { error: "malformed message" }, or is dropped without an acknowledgement, and the server carries on', async () => {
    const lesson = await startLesson(createApp);
    const eve = await connect(lesson, { query: { name: 'eve' } });
    expect(await eve.timeout(DEFAULT_TIMEOUT_MS).emitWithAck('say', null)).toEqual({
      error: 'malformed message',
    });
    eve.emit('join', 'attic'); // no acknowledgement: dropped
    expect(await eve.timeout(DEFAULT_TIMEOUT_MS).emitWithAck('members', 'attic')).toEqual({
      members: [],
    });
  });
});

describe.concurrent('a message of the wrong shape', () => {
  /** A test: eve sends `event` with `args` and gets `{ error }`; ben, beside her in lobby, hears nothing. */
  const refused =
    (event: string, args: unknown[], error: string) => async (context: TestContext) => {
      const kit = kitFor(context);
      const lesson = await kit.startLesson(createApp);
      const as = (name: string) => kit.connect(lesson, { query: { name }, transport: 'websocket' });
      const [eve, ben] = await Promise.all([as('eve'), as('ben')]);
      const heard = await hear(lesson, { ben }, 'said', async () => {
        expect(await eve.timeout(DEFAULT_TIMEOUT_MS).emitWithAck(event, ...args)).toEqual({
          error,
        });
      });
      expect(heard).toEqual({ ben: [] });
    };
  const ROOM = 'room names are 1 to 40 characters';
  const TEXT = 'texts are 1 to 500 characters';
  const MALFORMED = 'malformed message';

  it('is refused: an unknown event', refused('shout', ['lobby'], 'unknown event'));
  it(
    'is refused: an event named like a property every object has',
    refused('constructor', ['lobby'], 'unknown event'),
  );
  it('is refused: a room that is not a string', refused('members', [['lobby']], ROOM));
  it(
    'is refused: a text that is not a string',
    refused('say', [{ room: 'lobby', text: 42 }], TEXT),
  );
  it(
    'is refused: a text over 500 characters',
    refused('say', [{ room: 'lobby', text: 'x'.repeat(501) }], TEXT),
  );
  it(
    'is refused: a missing field',
    refused('whisper', [{ text: 'psst' }], 'names are 1 to 40 characters'),
  );
  it(
    'is refused: a field no event has',
    refused('say', [{ room: 'lobby', text: 'hi', from: 'ben' }], MALFORMED),
  );
  it('is refused: an array for an object', refused('say', [['lobby', 'hi']], MALFORMED));
  it(
    'is refused: an extra argument',
    refused('say', [{ room: 'lobby', text: 'hi' }, 'more'], MALFORMED),
  );
});

describe('a handler that fails', () => {
  it('answers { error: "server error" } instead of ending the server, which carries on', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana');
    const ben = await person(lesson, 'ben');
    // A cluster adapter's fetchSockets() rejects when another server does not answer in time.
    const timedOut = new Error('timeout reached: missing 1 responses');
    lesson.io.of('/').adapter.fetchSockets = () => Promise.reject(timedOut);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    onTestFinished(() => logged.mockRestore());

    const error = { error: 'server error' };
    expect(await ask(ben).emitWithAck('whisper', { to: 'ana', text: 'psst' })).toEqual(error);
    expect(await ask(ben).emitWithAck('members', 'lobby')).toEqual(error);
    expect(logged).toHaveBeenCalledWith(timedOut);
    const said = nextEvent<[Said]>(ana, 'said');
    expect(await ask(ben).emitWithAck('say', { room: 'lobby', text: 'still here' })).toEqual({
      ok: true,
    });
    expect(await said).toEqual([{ from: 'ben', room: 'lobby', text: 'still here' }]);
  });
});

describe('say: socket.to(room).emit', () => {
  it('reaches the other members of the room, not the sender and not other rooms', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana', 'kitchen');
    const ben = await person(lesson, 'ben', 'kitchen');
    const cat = await person(lesson, 'cat', 'kitchen');
    const dan = await person(lesson, 'dan', 'attic');

    const heard = await hear(lesson, { ana, ben, cat, dan }, 'said', async () => {
      const reply = await ask(ana).emitWithAck('say', { room: 'kitchen', text: 'tea?' });
      expect(reply).toEqual({ ok: true });
    });
    const message: Said = { from: 'ana', room: 'kitchen', text: 'tea?' };
    expect(heard).toEqual({ ana: [], ben: [message], cat: [message], dan: [] });
  });

  it('reaches a member once, naming the room, when they share several rooms with the sender', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana', 'kitchen');
    const ben = await person(lesson, 'ben', 'kitchen');
    await ask(ana).emitWithAck('join', 'attic');
    await ask(ben).emitWithAck('join', 'attic');

    const heard = await hear(lesson, { ben }, 'said', () =>
      ask(ana).emitWithAck('say', { room: 'attic', text: 'up here' }),
    );
    expect(heard).toEqual({ ben: [{ from: 'ana', room: 'attic', text: 'up here' }] });
  });

  it('answers { error: "not in room" } to a sender who is not a member, and sends nothing', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana', 'kitchen');
    const dan = await person(lesson, 'dan', 'attic');
    const heard = await hear(lesson, { dan }, 'said', async () => {
      const reply = await ask(ana).emitWithAck('say', { room: 'attic', text: 'hello?' });
      expect(reply).toEqual({ error: 'not in room' });
    });
    expect(heard).toEqual({ dan: [] });
  });
});

describe("whisper: io.to('user:<name>').emit", () => {
  it('reaches every tab the person has open, and nobody else', async () => {
    const lesson = await startLesson(createApp);
    const anaTab1 = await person(lesson, 'ana');
    const anaTab2 = await person(lesson, 'ana', 'kitchen');
    const ben = await person(lesson, 'ben');
    const cat = await person(lesson, 'cat');

    const heard = await hear(lesson, { anaTab1, anaTab2, ben, cat }, 'whispered', async () => {
      const reply = await ask(ben).emitWithAck('whisper', { to: 'ana', text: 'psst' });
      expect(reply).toEqual({ ok: true });
    });
    const whisper: Whispered = { from: 'ben', text: 'psst' };
    expect(heard).toEqual({ anaTab1: [whisper], anaTab2: [whisper], ben: [], cat: [] });
  });

  it('answers { error: "no such user" } when nobody by that name is connected', async () => {
    const lesson = await startLesson(createApp);
    const ben = await person(lesson, 'ben');
    expect(await ask(ben).emitWithAck('whisper', { to: 'zoe', text: 'psst' })).toEqual({
      error: 'no such user',
    });
  });

  it('still reaches a tab after it reconnects with a new socket.id', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana');
    const ben = await person(lesson, 'ben');
    const firstId = ana.id;

    ana.disconnect();
    const reconnected = nextEvent(ana, 'connect');
    ana.connect();
    await reconnected;
    expect(ana.id).not.toBe(firstId);

    const whispered = nextEvent<[Whispered]>(ana, 'whispered');
    await ask(ben).emitWithAck('whisper', { to: 'ana', text: 'still there?' });
    expect(await whispered).toEqual([{ from: 'ben', text: 'still there?' }]);
  });
});

describe('socket.id', () => {
  it('names one tab, not a person: io.to(socket.id) misses their other tabs', async () => {
    const lesson = await startLesson(createApp);
    const anaTab1 = await person(lesson, 'ana');
    const anaTab2 = await person(lesson, 'ana');
    const message: Said = { from: 'server', room: 'none', text: 'hi' };

    const heard = await hear(lesson, { anaTab1, anaTab2 }, 'said', () => {
      lesson.io.to(anaTab1.id as string).emit('said', message);
    });
    expect(heard).toEqual({ anaTab1: [message], anaTab2: [] });
  });
});

describe('members: io.in(room).fetchSockets()', () => {
  it('lists the names in a room, sorted, each once however many tabs they have open', async () => {
    const lesson = await startLesson(createApp);
    const cat = await person(lesson, 'cat', 'kitchen');
    await person(lesson, 'ana', 'kitchen');
    await person(lesson, 'ana', 'kitchen');
    await person(lesson, 'ben', 'attic');
    expect(await ask(cat).emitWithAck('members', 'kitchen')).toEqual({ members: ['ana', 'cat'] });
    expect(await ask(cat).emitWithAck('members', 'user:ana')).toEqual({ members: ['ana'] });
  });

  it('is empty for a room nobody is in', async () => {
    const lesson = await startLesson(createApp);
    const cat = await person(lesson, 'cat');
    expect(await ask(cat).emitWithAck('members', 'attic')).toEqual({ members: [] });
  });
});
