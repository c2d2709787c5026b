import type { IncomingMessage } from 'node:http';
import {
  closeAll,
  connect,
  connectError,
  hear,
  kitFor,
  type LessonApp,
  nextEvent,
  startLesson,
} from '@lessons/test-kit';
import { afterEach, describe, expect, it, onTestFinished, type TestContext, vi } from 'vitest';
import { createApp } from '#target/app.ts';
import type { Said, Whispered } from '#target/events.ts';
import { ask, expectReply, type Person, person, roomsOnServer } from './people.ts';

afterEach(closeAll);

/** The `connect_error` message a client gets for `query`, named in the failure. */
async function refusal(lesson: { url: string }, query: Record<string, string>) {
  const error = await connectError(lesson, { query });
  return { query: JSON.stringify(query), message: error.message };
}

/**
 * Make every fetchSockets() reject, as a cluster adapter's does when another
 * server does not answer in time, and catch what the server logs.
 */
function failFetchSockets(lesson: Pick<LessonApp, 'io'>) {
  const timedOut = new Error('timeout reached: missing 1 responses');
  lesson.io.of('/').adapter.fetchSockets = () => Promise.reject(timedOut);
  const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
  onTestFinished(() => logged.mockRestore());
  return { timedOut, logged };
}

/** Ben's say in lobby still reaches Ana: the server carries on. */
async function expectStillTalking(ana: Person, ben: Person) {
  const said = nextEvent<[Said]>(ana, 'said');
  await expectReply(ben, 'say', [{ room: 'lobby', text: 'still here' }], { ok: true });
  expect(await said, 'what ana received as "said"').toEqual([
    { from: 'ben', room: 'lobby', text: 'still here' },
  ]);
}

// Exercise handshake: io.use reads the query and refuses what will not do.

describe('the handshake query', () => {
  it('arrives in socket.handshake.query from the URL: io("/?name=ana&room=kitchen")', async () => {
    const lesson = await startLesson(createApp);
    await connect(`${lesson.url}/?name=ana&room=kitchen`);
    const [serverSide] = await lesson.io.fetchSockets();
    expect(serverSide?.handshake.query).toMatchObject({ name: 'ana', room: 'kitchen' });
    expect(serverSide?.data, 'socket.data, where the middleware keeps the name').toMatchObject({
      name: 'ana',
    });
  });

  it('arrives the same from the query option: io(url, { query: { name, room } })', async () => {
    const lesson = await startLesson(createApp);
    await person(lesson, 'ana', 'kitchen');
    const [serverSide] = await lesson.io.fetchSockets();
    expect(serverSide?.handshake.query).toMatchObject({ name: 'ana', room: 'kitchen' });
    expect(serverSide?.data, 'socket.data, where the middleware keeps the name').toMatchObject({
      name: 'ana',
    });
  });

  it('carries Engine.IO’s own parameters too: EIO and transport', async () => {
    const lesson = await startLesson(createApp);
    await person(lesson, 'ana', undefined, { transport: 'websocket' });
    const [serverSide] = await lesson.io.fetchSockets();
    expect(serverSide?.handshake.query).toMatchObject({ EIO: '4', transport: 'websocket' });
  });

  it('refuses a connection without a name: connect_error "name required"', async () => {
    const lesson = await startLesson(createApp);
    expect((await connectError(lesson)).message, 'connect_error for no query').toBe(
      'name required',
    );
    expect((await connectError(`${lesson.url}/?name=`)).message, 'connect_error for ?name=').toBe(
      'name required',
    );
    const roomOnly = await refusal(lesson, { room: 'kitchen' });
    expect(roomOnly.message, `connect_error for ${roomOnly.query}`).toBe('name required');
    expect(await lesson.io.fetchSockets(), 'the sockets the server let in').toHaveLength(0);
  });

  it('refuses a name over 40 characters: connect_error "names are at most 40 characters"', async () => {
    const lesson = await startLesson(createApp);
    const tooLong = await refusal(lesson, { name: 'a'.repeat(41) });
    expect(tooLong.message, `connect_error for ${tooLong.query}`).toBe(
      'names are at most 40 characters',
    );
    expect(await lesson.io.fetchSockets(), 'the sockets the server let in').toHaveLength(0);
    await person(lesson, 'a'.repeat(40));
    const [serverSide] = await lesson.io.fetchSockets();
    expect(serverSide?.data, 'a name of exactly 40 characters is let in').toMatchObject({
      name: 'a'.repeat(40),
    });
  });

  it('refuses a room the rules reject, with the reason in connect_error', async () => {
    const lesson = await startLesson(createApp);
    const reserved = await refusal(lesson, { name: 'ana', room: 'user:ben' });
    expect(reserved.message, `connect_error for ${reserved.query}`).toBe(
      'rooms starting with "user:" are reserved',
    );
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
    expect(
      urls.filter((url) => !url.includes('name=ana')),
      'request URLs without the query',
    ).toEqual([]);
    expect(
      urls.filter((url) => url.includes('s3cret')),
      'request URLs with the token',
    ).toEqual([]);
  });
});

// Exercise own-room: on connection, the query's room and user:<name>.

describe('on connection', () => {
  it('puts a socket whose query names no room in lobby, and in user:<name>', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana');
    expect(roomsOnServer(lesson, ana), 'ana’s rooms on the server, without her id').toEqual([
      'lobby',
      'user:ana',
    ]);
  });

  it('puts a socket in the room its query names, and in user:<name>', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana', 'kitchen');
    expect(roomsOnServer(lesson, ana), 'ana’s rooms on the server, without her id').toEqual([
      'kitchen',
      'user:ana',
    ]);
  });
});

describe('socket.rooms', () => {
  it('always holds a room named after the socket’s id, which io.to(socket.id) reaches', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana');
    const [serverSide] = await lesson.io.fetchSockets();
    expect([...(serverSide?.rooms ?? [])].sort(), 'socket.rooms on the server').toEqual(
      [ana.id, 'lobby', 'user:ana'].sort(),
    );

    const said = nextEvent(ana, 'said');
    lesson.io.to(ana.id as string).emit('said', { from: 'server', room: 'none', text: 'hi' });
    expect(await said).toEqual([{ from: 'server', room: 'none', text: 'hi' }]);
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
    expect(heard, 'who received io.to(anaTab1.id).emit("said")').toEqual({
      anaTab1: [message],
      anaTab2: [],
    });
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
    expect(seen.disconnecting, 'socket.rooms in "disconnecting"').toEqual(
      [id, 'kitchen', 'user:ana'].sort(),
    );
    expect(seen.disconnect, 'socket.rooms in "disconnect"').toEqual([]);
  });
});

// Exercise join-leave: the join and leave handlers.

describe('join and leave', () => {
  it('acknowledge the rooms the socket is in, without its own id, sorted', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana');
    await expectReply(ana, 'join', ['pantry'], { rooms: ['lobby', 'pantry', 'user:ana'] });
    await expectReply(ana, 'join', ['attic'], { rooms: ['attic', 'lobby', 'pantry', 'user:ana'] });
    await expectReply(ana, 'leave', ['lobby'], { rooms: ['attic', 'pantry', 'user:ana'] });
  });

  it('acknowledge the rooms the handshake gave when the socket joins one of them again', async () => {
    const lesson = await startLesson(createApp);
    const fromUrl: Person = await connect(`${lesson.url}/?name=ana&room=kitchen`);
    await expectReply(fromUrl, 'join', ['kitchen'], { rooms: ['kitchen', 'user:ana'] });
    const fromOption = await person(lesson, 'ana', 'kitchen');
    await expectReply(fromOption, 'join', ['kitchen'], { rooms: ['kitchen', 'user:ana'] });
    const noRoom = await person(lesson, 'ana');
    await expectReply(noRoom, 'join', ['lobby'], { rooms: ['lobby', 'user:ana'] });
  });

  it('refuse room names that are empty, longer than 40 characters, or not strings', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana');
    const tooLong = 'x'.repeat(41);
    const error = { error: 'room names are 1 to 40 characters' };
    await expectReply(ana, 'join', [''], error);
    await expectReply(ana, 'join', [tooLong], error);
    await expectReply(ana, 'join', [42], error);
    await expectReply(ana, 'leave', [''], error);
    await expectReply(ana, 'join', ['x'.repeat(40)], {
      rooms: ['lobby', 'user:ana', 'x'.repeat(40)],
    });
  });

  it('refuse rooms starting with "user:", so nobody can join or leave a person’s room', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana');
    await person(lesson, 'ben');
    const error = { error: 'rooms starting with "user:" are reserved' };
    await expectReply(ana, 'join', ['user:ben'], error);
    await expectReply(ana, 'leave', ['user:ana'], error);
  });

  it('refuse a room named after a socket id, which would receive what is sent to that socket', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana');
    const ben = await person(lesson, 'ben');
    await expectReply(ana, 'join', [ben.id], { error: 'that room belongs to a socket' });
  });
});

describe('a room', () => {
  it('exists only while it has members: the first join creates it, the last leave deletes it', async () => {
    const lesson = await startLesson(createApp);
    const rooms = lesson.io.of('/').adapter.rooms;
    const ana = await person(lesson, 'ana');
    const ben = await person(lesson, 'ben');
    expect(rooms.has('attic'), 'attic exists before anyone joins').toBe(false);

    await ask(ana).emitWithAck('join', 'attic');
    await ask(ben).emitWithAck('join', 'attic');
    expect(rooms.get('attic')?.size, 'sockets in attic after ana and ben join').toBe(2);

    await ask(ana).emitWithAck('leave', 'attic');
    expect(rooms.get('attic')?.size, 'sockets in attic after ana leaves').toBe(1);
    await ask(ben).emitWithAck('leave', 'attic');
    expect(rooms.has('attic'), 'attic exists after both leave').toBe(false);
  });
});

// Exercise say: socket.to(room).emit.

describe('say: socket.to(room).emit', () => {
  it('reaches the other members of the room, not the sender and not other rooms', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana', 'kitchen');
    const ben = await person(lesson, 'ben', 'kitchen');
    const cat = await person(lesson, 'cat', 'kitchen');
    const dan = await person(lesson, 'dan', 'attic');

    const heard = await hear(lesson, { ana, ben, cat, dan }, 'said', () =>
      expectReply(ana, 'say', [{ room: 'kitchen', text: 'tea?' }], { ok: true }),
    );
    const message: Said = { from: 'ana', room: 'kitchen', text: 'tea?' };
    expect(heard, 'who received "said" when ana said "tea?" in kitchen').toEqual({
      ana: [],
      ben: [message],
      cat: [message],
      dan: [],
    });
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
    expect(heard, 'what ben received when ana said "up here" in attic').toEqual({
      ben: [{ from: 'ana', room: 'attic', text: 'up here' }],
    });
  });

  it('answers { error: "not in room" } to a sender who is not a member, and sends nothing', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana', 'kitchen');
    const dan = await person(lesson, 'dan', 'attic');
    const heard = await hear(lesson, { dan }, 'said', () =>
      expectReply(ana, 'say', [{ room: 'attic', text: 'hello?' }], { error: 'not in room' }),
    );
    expect(heard, 'what dan received when ana said "hello?" in attic from outside it').toEqual({
      dan: [],
    });
  });
});

// Exercise members: io.in(room).fetchSockets().

describe('members: io.in(room).fetchSockets()', () => {
  it('lists the names in a room, sorted, each once however many tabs they have open', async () => {
    const lesson = await startLesson(createApp);
    const cat = await person(lesson, 'cat', 'kitchen');
    await person(lesson, 'ana', 'kitchen');
    await person(lesson, 'ana', 'kitchen');
    await person(lesson, 'ben', 'attic');
    await expectReply(cat, 'members', ['kitchen'], { members: ['ana', 'cat'] });
  });

  it('answers for user: rooms too, which nobody may join: members("user:ana") lists ana', async () => {
    const lesson = await startLesson(createApp);
    const cat = await person(lesson, 'cat', 'kitchen');
    await person(lesson, 'ana', 'kitchen');
    await person(lesson, 'ana', 'kitchen');
    await expectReply(cat, 'members', ['user:ana'], { members: ['ana'] });
  });

  it('is empty for a room nobody is in', async () => {
    const lesson = await startLesson(createApp);
    const cat = await person(lesson, 'cat');
    await expectReply(cat, 'members', ['attic'], { members: [] });
  });

  it('removes the person from their rooms’ members, and deletes the rooms left empty', async () => {
    const lesson = await startLesson(createApp);
    const rooms = lesson.io.of('/').adapter.rooms;
    const ana = await person(lesson, 'ana', 'kitchen');
    const ben = await person(lesson, 'ben', 'kitchen');
    await ask(ben).emitWithAck('join', 'attic');
    await expectReply(ana, 'members', ['kitchen'], { members: ['ana', 'ben'] });

    const deleted = nextEvent(lesson.io.of('/').adapter, 'delete-room');
    ben.disconnect();
    await deleted;
    await expectReply(ana, 'members', ['kitchen'], { members: ['ana'] });
    expect(rooms.has('attic'), 'attic exists after ben, its one member, disconnects').toBe(false);
    expect(rooms.has('user:ben'), 'user:ben exists after ben disconnects').toBe(false);
  });

  it('answers { error: "server error" } when fetchSockets() fails, and the server carries on', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana');
    const ben = await person(lesson, 'ben');
    const { timedOut, logged } = failFetchSockets(lesson);

    await expectReply(ben, 'members', ['lobby'], { error: 'server error' });
    expect(logged, 'console.error, where guarded() logs the error').toHaveBeenCalledWith(timedOut);
    await expectStillTalking(ana, ben);
  });
});

// Exercise whisper: io.to('user:<name>').emit.

describe("whisper: io.to('user:<name>').emit", () => {
  it('reaches every tab the person has open, and nobody else', async () => {
    const lesson = await startLesson(createApp);
    const anaTab1 = await person(lesson, 'ana');
    const anaTab2 = await person(lesson, 'ana', 'kitchen');
    const ben = await person(lesson, 'ben');
    const cat = await person(lesson, 'cat');

    const heard = await hear(lesson, { anaTab1, anaTab2, ben, cat }, 'whispered', () =>
      expectReply(ben, 'whisper', [{ to: 'ana', text: 'psst' }], { ok: true }),
    );
    const whisper: Whispered = { from: 'ben', text: 'psst' };
    expect(heard, 'who received "whispered" when ben whispered "psst" to ana').toEqual({
      anaTab1: [whisper],
      anaTab2: [whisper],
      ben: [],
      cat: [],
    });
  });

  it('answers { error: "no such user" } when nobody by that name is connected', async () => {
    const lesson = await startLesson(createApp);
    const ben = await person(lesson, 'ben');
    await expectReply(ben, 'whisper', [{ to: 'zoe', text: 'psst' }], { error: 'no such user' });
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
    expect(ana.id, 'ana’s socket.id after she reconnects').not.toBe(firstId);

    const whispered = nextEvent<[Whispered]>(ana, 'whispered');
    await expectReply(ben, 'whisper', [{ to: 'ana', text: 'still there?' }], { ok: true });
    expect(await whispered, 'what ana received as "whispered"').toEqual([
      { from: 'ben', text: 'still there?' },
    ]);
  });

  it('answers { error: "server error" } when fetchSockets() fails, and the server carries on', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana');
    const ben = await person(lesson, 'ben');
    const { timedOut, logged } = failFetchSockets(lesson);

    await expectReply(ben, 'whisper', [{ to: 'ana', text: 'psst' }], { error: 'server error' });
    expect(logged, 'console.error, where guarded() logs the error').toHaveBeenCalledWith(timedOut);
    await expectStillTalking(ana, ben);
  });
});

// Exercise check-messages: one socket.use middleware before every handler.

describe('a malformed message', () => {
  it('gets { error: "malformed message" }, or is dropped without an acknowledgement, and the server carries on', async () => {
    const lesson = await startLesson(createApp);
    const eve = await connect(lesson, { query: { name: 'eve' } });
    await expectReply(eve, 'say', [null], { error: 'malformed message' });
    eve.emit('join', 'attic'); // no acknowledgement: dropped
    await expectReply(eve, 'members', ['attic'], { members: [] });
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
      const heard = await hear(lesson, { ben }, 'said', () =>
        expectReply(eve, event, args, { error }),
      );
      expect(heard, `what ben received as "said" while eve sent ${event}`).toEqual({ ben: [] });
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
