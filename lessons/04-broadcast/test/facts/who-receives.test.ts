// Facts about Socket.IO, proven on a server of this file's own: the rows of
// the "who receives?" table that call Socket.IO directly, which no exercise
// asks for. They pass for everyone and are never graded.
import { createServer } from 'node:http';
import {
  closeAll,
  connect,
  hear,
  type Kit,
  kitFor,
  nextEvent,
  startLesson,
} from '@lessons/test-kit';
import express from 'express';
import { Server } from 'socket.io';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { misdelivered, SCENE } from '../scene.ts';
import {
  DISCONNECTS,
  EMITS,
  PEOPLE,
  type PersonName,
  ROOMS,
  type Row,
  type Scene,
  SENDER,
  SERVER_NEWS,
} from '../who-receives.ts';

afterEach(closeAll);

/** A bare Socket.IO server that puts each client in its rooms of the scene as it connects. */
function createSceneServer() {
  const app = express();
  const httpServer = createServer(app);
  const io = new Server(httpServer);
  io.on('connection', (socket) => {
    const { name } = socket.handshake.query;
    if (typeof name === 'string' && Object.hasOwn(ROOMS, name)) {
      socket.join(ROOMS[name as PersonName]);
    }
  });
  return { app, httpServer, io };
}

type SceneServer = Awaited<ReturnType<Kit['startLesson']>>;

/** The four people of the scene, connected and in their rooms. */
async function setScene(lesson: SceneServer, kit: Pick<Kit, 'connect'>) {
  const connected = await Promise.all(
    PEOPLE.map(
      async (name) =>
        [name, await kit.connect(lesson, { query: { name }, transport: 'websocket' })] as const,
    ),
  );
  const clients = Object.fromEntries(connected) as Record<PersonName, ClientSocket>;
  const ids = Object.fromEntries(connected.map(([name, client]) => [name, client.id])) as Record<
    PersonName,
    string
  >;
  const socket = lesson.io.of('/').sockets.get(ids[SENDER]);
  if (!socket) throw new Error(`${SENDER} has no socket on the server`);
  const scene: Scene = { io: lesson.io, socket, ids };
  return { clients, scene };
}

/** The rows that call Socket.IO on the server, and the call each makes. */
const onServer = (rows: Row[]) =>
  rows.flatMap((row) =>
    'server' in row.via ? [[row.call, row.reaches, row.via.server] as const] : [],
  );
const receiversOf = (rows: Row[], call: string) =>
  rows.find((row) => row.call === call)?.receivers ?? [];

describe.concurrent('who receives a call made on the server, in the scene of four clients and two rooms', () => {
  it.for(onServer(EMITS))('%s reaches %s', async ([call, , make], context) => {
    const kit = kitFor(context);
    const lesson = await kit.startLesson(createSceneServer);
    const { clients, scene } = await setScene(lesson, kit);
    const received = await hear(lesson, clients, 'news', () => make(scene));
    const receivers = receiversOf(EMITS, call);

    const counts = Object.fromEntries(PEOPLE.map((name) => [name, received[name].length]));
    expect(
      counts,
      `copies each client received from ${call} (${SCENE}): ${misdelivered(received, receivers)}`,
    ).toEqual(Object.fromEntries(PEOPLE.map((name) => [name, receivers.includes(name) ? 1 : 0])));
    for (const name of receivers) expect(received[name]).toEqual([SERVER_NEWS]);
  });
});

describe.concurrent('who a call on the server disconnects, in the same scene', () => {
  it.for(onServer(DISCONNECTS))('%s ends %s', async ([call, , make], context) => {
    const kit = kitFor(context);
    const lesson = await kit.startLesson(createSceneServer);
    const { clients, scene } = await setScene(lesson, kit);
    const receivers = receiversOf(DISCONNECTS, call);
    const ended = receivers.map((name) => nextEvent<[string]>(clients[name], 'disconnect'));

    make(scene);
    const reasons = (await Promise.all(ended)).map(([reason]) => reason);
    expect(reasons).toEqual(receivers.map(() => 'io server disconnect'));

    // The others are still connected: a fence sent now reaches each of them.
    const others = PEOPLE.filter((name) => !receivers.includes(name));
    await hear(lesson, clients, 'news', () => {}, others);
    expect(others.filter((name) => !clients[name].connected)).toEqual([]);
    expect(lesson.io.of('/').sockets.size).toBe(others.length);
  });
});

describe('io.to(room).emit in a loop over rooms', () => {
  it('sends a member of two of the rooms two copies, where io.to([a, b]) sends one', async () => {
    const lesson = await startLesson(createSceneServer);
    const { clients } = await setScene(lesson, { connect });
    const received = await hear(lesson, clients, 'news', () => {
      for (const room of ['red', 'blue']) lesson.io.to(room).emit('news', SERVER_NEWS);
    });
    expect(received.ben).toEqual([SERVER_NEWS, SERVER_NEWS]);
    expect(received.ana).toEqual([SERVER_NEWS]);
    expect(received.cat).toEqual([SERVER_NEWS]);
  });
});

describe('socket.use(middleware)', () => {
  it('turns next(error) into an "error" event on the server socket: the handler never runs, and nothing answers the client', async () => {
    const lesson = await startLesson(createSceneServer);
    const handled: string[] = [];
    const errors: string[] = [];
    lesson.io.on('connection', (socket) => {
      socket.use(([event], next) =>
        next(event === 'refused' ? new Error('not this one') : undefined),
      );
      // Without this listener, Node's EventEmitter throws the error, and nothing catches it.
      socket.on('error', (error) => errors.push(error.message));
      for (const event of ['refused', 'passed']) {
        socket.on(event, (ack?: (reply: string) => void) => {
          handled.push(event);
          ack?.('handled');
        });
      }
    });
    const client = await connect(lesson);
    const answers: unknown[] = [];
    client.emit('refused', (reply: unknown) => answers.push(reply));
    client.emit('passed');
    // One socket's messages pass the middleware in order: once the second is
    // handled, the first has been refused.
    await expect.poll(() => handled).toEqual(['passed']);
    expect(errors).toEqual(['not this one']);
    // A fence: an answer sent before it would arrive before it.
    const fence = nextEvent(client, 'fence');
    lesson.io.to(client.id as string).emit('fence');
    await fence;
    expect(answers).toEqual([]);
  });
});
