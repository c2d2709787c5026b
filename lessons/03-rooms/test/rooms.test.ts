import { closeAll, connect, DEFAULT_TIMEOUT_MS, nextEvent, startLesson } from '@lessons/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '#target/app.ts';
import { ask, person } from './people.ts';

afterEach(closeAll);

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
