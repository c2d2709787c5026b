import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Server, type Socket } from 'socket.io';
import {
  type ClientToServerEvents,
  isRoomTarget,
  type News,
  type OkReply,
  type RoomTarget,
  type ServerToClientEvents,
  type SocketData,
} from './events.ts';

const publicDir = fileURLToPath(new URL('../public', import.meta.url));

type BroadcastServer = Server<ClientToServerEvents, ServerToClientEvents, object, SocketData>;
type BroadcastSocket = Socket<ClientToServerEvents, ServerToClientEvents, object, SocketData>;

/** Why a client may not join `room`, or undefined when it may: the rules of lesson 3. */
function roomProblem(io: BroadcastServer, room: unknown): string | undefined {
  if (typeof room !== 'string' || room.length < 1 || room.length > 40) {
    return 'room names are 1 to 40 characters';
  }
  if (room.startsWith('user:')) return 'rooms starting with "user:" are reserved';
  if (io.of('/').sockets.has(room)) return 'that room belongs to a socket';
  return undefined;
}

// #region shapes
/** A rule for one value a client sends: why it will not do, or undefined when it will. */
type Rule = (value: unknown) => string | undefined;

/** A string of `min` to `max` characters, or else `problem`. */
const stringOf =
  (min: number, max: number, problem: string): Rule =>
  (value) =>
    typeof value === 'string' && value.length >= min && value.length <= max ? undefined : problem;

// Optional in a shout; the demo page sends '' when its room box is empty.
const shoutRoom = stringOf(0, 40, 'room names are at most 40 characters');

/** What each event but bye carries before its acknowledgement: one string, or an object of strings. */
const PAYLOADS: Record<'join' | 'shout', Rule | Record<string, Rule>> = {
  join: stringOf(1, 40, 'room names are 1 to 40 characters'),
  shout: {
    target: stringOf(1, 20, 'targets are 1 to 20 characters'),
    room: (room) => (room === undefined ? undefined : shoutRoom(room)),
    text: stringOf(1, 500, 'texts are 1 to 500 characters'),
  },
};

/**
 * Why a message will not do, or undefined when it will. It reads one level
 * into the payload and no further: every field must be a string, so anything
 * nested is refused here, before a handler or Socket.IO's encoder walks it.
 */
function messageProblem(event: unknown, args: unknown[]): string | undefined {
  // Object.hasOwn, not PAYLOADS[event]: every object has a "constructor".
  if (typeof event !== 'string' || !Object.hasOwn(PAYLOADS, event)) return 'unknown event';
  if (args.length !== 1) return 'malformed message';
  const shape = PAYLOADS[event as keyof typeof PAYLOADS];
  const [payload] = args;
  if (typeof shape === 'function') return shape(payload);
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return 'malformed message';
  }
  if (Object.keys(payload).some((field) => !Object.hasOwn(shape, field))) {
    return 'malformed message';
  }
  for (const [field, rule] of Object.entries(shape)) {
    const problem = rule((payload as Record<string, unknown>)[field]);
    if (problem) return problem;
  }
  return undefined;
}
// #endregion shapes

// Who receives a shout: one function per family of targets. Each sends `news`
// from `socket`, and returns what the shout's acknowledgement answers.

/** Send `news` to 'self', 'all' or 'others'; any other target that names no room is unknown. */
function shoutToEveryone(
  io: BroadcastServer,
  socket: BroadcastSocket,
  target: string,
  news: News,
): OkReply {
  // #region exercise-everyone
  switch (target) {
    case 'self': // this socket only
      socket.emit('news', news);
      break;
    case 'all': // every socket, the sender included
      io.emit('news', news);
      break;
    case 'others': // every socket but the sender
      socket.broadcast.emit('news', news);
      break;
    default: // a string of 1 to 20 characters: the message check measured it
      return { error: `unknown target "${target}"` };
  }
  return { ok: true };
  // #endregion exercise-everyone
}

/** Send `news` to 'room', 'room-others' or 'except-room', each of which needs a `room`. */
function shoutToRoom(
  io: BroadcastServer,
  socket: BroadcastSocket,
  target: RoomTarget,
  room: string,
  news: News,
): OkReply {
  // #region exercise-rooms
  if (room === '') return { error: `"${target}" needs a room` };
  switch (target) {
    case 'room': // the members of the room, the sender included if a member
      io.to(room).emit('news', news);
      break;
    case 'room-others': // the members of the room but the sender
      socket.to(room).emit('news', news);
      break;
    case 'except-room': // every socket outside the room, the sender included if outside
      io.except(room).emit('news', news);
      break;
  }
  return { ok: true };
  // #endregion exercise-rooms
}

/** Build the app, its HTTP server and its Socket.IO server. Opens no port: see server.ts. */
export function createApp() {
  const app = express();
  app.use(express.static(publicDir));
  const httpServer = createServer(app);
  const io: BroadcastServer = new Server(httpServer);

  io.on('connection', (socket) => {
    // #region connection
    // Each socket signs its news with the name in its handshake query, or else its id.
    const { name } = socket.handshake.query;
    socket.data.name = typeof name === 'string' && name !== '' ? name.slice(0, 40) : socket.id;
    // #endregion connection

    // The message check: the event maps describe what a well-behaved client
    // sends, but a client can send anything. Run messageProblem() on every
    // message before any handler sees it.
    // #region exercise-guard
    socket.use(([event, ...args], next) => {
      // bye carries nothing its handler reads: let it through as it is.
      if (event === 'bye') return next();
      // The acknowledgement, when the client asked for one, is the last argument.
      const reply = typeof args.at(-1) === 'function' ? args.pop() : undefined;
      const problem = messageProblem(event, args) ?? (reply ? undefined : 'no acknowledgement');
      if (problem === undefined) return next();
      // Refused: say why when the client listens for an answer; drop the message otherwise.
      reply?.({ error: problem });
    });
    // #endregion exercise-guard

    // #region join
    socket.on('join', (room, ack) => {
      const problem = roomProblem(io, room);
      if (problem) return ack({ error: problem });
      socket.join(room);
      ack({ rooms: [...socket.rooms].filter((r) => r !== socket.id).sort() });
    });
    // #endregion join

    // #region shout
    // A room target goes to shoutToRoom(), any other to shoutToEveryone().
    socket.on('shout', ({ target, room = '', text }, ack) => {
      const news: News = { from: socket.data.name, target, text };
      ack(
        isRoomTarget(target)
          ? shoutToRoom(io, socket, target, room, news)
          : shoutToEveryone(io, socket, target, news),
      );
    });
    // #endregion shout

    // The server ends this client's connection. The client's disconnect
    // reason is "io server disconnect", and it does not reconnect by itself.
    socket.on('bye', () => {
      // #region exercise-bye
      socket.disconnect();
      // #endregion exercise-bye
    });
  });

  return { app, httpServer, io };
}
