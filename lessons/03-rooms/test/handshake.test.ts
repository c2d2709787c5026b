import type { IncomingMessage } from 'node:http';
import { closeAll, connect, connectError, createClient, startLesson } from '@lessons/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '#target/app.ts';
import { ask, type Person, person } from './people.ts';

afterEach(closeAll);

describe('the handshake query', () => {
  it('arrives in socket.handshake.query from the URL: io("/?name=ana&room=kitchen")', async () => {
    const lesson = await startLesson(createApp);
    const ana: Person = createClient(`${lesson.url}/?name=ana&room=kitchen`);
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
