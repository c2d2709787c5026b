import { closeAll, nextEvent, noEvent, startLesson } from '@lessons/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '#target/app.ts';
import type { Said, Whispered } from '#target/events.ts';
import { ask, person } from './people.ts';

afterEach(closeAll);

describe('say: socket.to(room).emit', () => {
  it('reaches the other members of the room, not the sender and not other rooms', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana', 'kitchen');
    const ben = await person(lesson, 'ben', 'kitchen');
    const cat = await person(lesson, 'cat', 'kitchen');
    const dan = await person(lesson, 'dan', 'attic');
    const toBen = nextEvent<[Said]>(ben, 'said');
    const toCat = nextEvent<[Said]>(cat, 'said');

    expect(await ask(ana).emitWithAck('say', { room: 'kitchen', text: 'tea?' })).toEqual({
      ok: true,
    });
    const message = { from: 'ana', room: 'kitchen', text: 'tea?' };
    expect(await toBen).toEqual([message]);
    expect(await toCat).toEqual([message]);
    await Promise.all([noEvent(ana, 'said'), noEvent(dan, 'said')]);
  });

  it('reaches a member once, naming the room, when they share several rooms with the sender', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana', 'kitchen');
    const ben = await person(lesson, 'ben', 'kitchen');
    await ask(ana).emitWithAck('join', 'attic');
    await ask(ben).emitWithAck('join', 'attic');
    const toBen = nextEvent<[Said]>(ben, 'said');

    await ask(ana).emitWithAck('say', { room: 'attic', text: 'up here' });
    expect(await toBen).toEqual([{ from: 'ana', room: 'attic', text: 'up here' }]);
    await noEvent(ben, 'said');
  });

  it('answers { error: "not in room" } to a sender who is not a member, and sends nothing', async () => {
    const lesson = await startLesson(createApp);
    const ana = await person(lesson, 'ana', 'kitchen');
    const dan = await person(lesson, 'dan', 'attic');
    expect(await ask(ana).emitWithAck('say', { room: 'attic', text: 'hello?' })).toEqual({
      error: 'not in room',
    });
    await noEvent(dan, 'said');
  });
});

describe("whisper: io.to('user:<name>').emit", () => {
  it('reaches every tab the person has open, and nobody else', async () => {
    const lesson = await startLesson(createApp);
    const anaTab1 = await person(lesson, 'ana');
    const anaTab2 = await person(lesson, 'ana', 'kitchen');
    const ben = await person(lesson, 'ben');
    const cat = await person(lesson, 'cat');
    const tab1 = nextEvent<[Whispered]>(anaTab1, 'whispered');
    const tab2 = nextEvent<[Whispered]>(anaTab2, 'whispered');

    expect(await ask(ben).emitWithAck('whisper', { to: 'ana', text: 'psst' })).toEqual({
      ok: true,
    });
    expect(await tab1).toEqual([{ from: 'ben', text: 'psst' }]);
    expect(await tab2).toEqual([{ from: 'ben', text: 'psst' }]);
    await Promise.all([noEvent(ben, 'whispered'), noEvent(cat, 'whispered')]);
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
    const said = nextEvent<[Said]>(anaTab1, 'said');

    lesson.io.to(anaTab1.id as string).emit('said', { from: 'server', room: 'none', text: 'hi' });
    await said;
    await noEvent(anaTab2, 'said');
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
