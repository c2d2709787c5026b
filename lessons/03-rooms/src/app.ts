import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, Failure, ServerToClientEvents, SocketData } from './events.ts';

const publicDir = fileURLToPath(new URL('../public', import.meta.url));

// #region rules
/** The Socket.IO server and socket of this lesson, typed with its event maps. */
type RoomsServer = Server<ClientToServerEvents, ServerToClientEvents, object, SocketData>;
type RoomsSocket = Socket<ClientToServerEvents, ServerToClientEvents, object, SocketData>;

/** Why a client may not use `room`, or undefined when it may. */
function roomProblem(io: RoomsServer, room: unknown): string | undefined {
  if (typeof room !== 'string' || room.length < 1 || room.length > 40) {
    return 'room names are 1 to 40 characters';
  }
  // The handshake alone puts sockets in user:<name>: a client that joined
  // another name's room would receive what is sent to that name. (While names
  // are claims, connecting with that name does the same: see the lesson page.)
  if (room.startsWith('user:')) return 'rooms starting with "user:" are reserved';
  // Every socket is also in a room named after its id, for the same reason.
  if (io.of('/').sockets.has(room)) return 'that room belongs to a socket';
  return undefined;
}

/** The rooms a socket chose or was put in: its own id left out, sorted. */
function roomsOf(socket: RoomsSocket): string[] {
  return [...socket.rooms].filter((room) => room !== socket.id).sort();
}
// #endregion rules

// #region shapes
/** A rule for one value a client sends: why it will not do, or undefined when it will. */
type Rule = (value: unknown) => string | undefined;

/** A string of `min` to `max` characters, or else `problem`. */
const stringOf =
  (min: number, max: number, problem: string): Rule =>
  (value) =>
    typeof value === 'string' && value.length >= min && value.length <= max ? undefined : problem;

const roomName = stringOf(1, 40, 'room names are 1 to 40 characters');
const personName = stringOf(1, 40, 'names are 1 to 40 characters');
const message = stringOf(1, 500, 'texts are 1 to 500 characters');

/** What each event carries before its acknowledgement: one string, or an object of strings. */
const PAYLOADS: Record<keyof ClientToServerEvents, Rule | Record<string, Rule>> = {
  join: roomName,
  leave: roomName,
  members: roomName,
  say: { room: roomName, text: message },
  whisper: { to: personName, text: message },
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
  const shape = PAYLOADS[event as keyof ClientToServerEvents];
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

// #region guarded
/**
 * Socket.IO calls each handler outside any try/catch: a throw, or the rejected
 * promise of an async handler, ends the whole process. Answer { error } instead.
 */
function guarded<Args extends unknown[]>(handler: (...args: Args) => unknown) {
  return async (...args: Args): Promise<void> => {
    try {
      await handler(...args);
    } catch (error) {
      console.error(error);
      const ack = args.at(-1);
      if (typeof ack === 'function') ack({ error: 'server error' } satisfies Failure);
    }
  };
}
// #endregion guarded

/** Build the app, its HTTP server and its Socket.IO server. Opens no port: see server.ts. */
export function createApp() {
  const app = express();
  app.use(express.static(publicDir));
  const httpServer = createServer(app);
  const io: RoomsServer = new Server(httpServer);

  // The handshake: who may connect, before any socket exists.
  // #region exercise-handshake
  // io('/?name=ana&room=lobby') and io(url, { query: { name, room } }) both
  // arrive in socket.handshake.query. A middleware refuses a connection by
  // passing an Error to next(): the client gets connect_error with its message.
  io.use((socket, next) => {
    const { name, room = 'lobby' } = socket.handshake.query;
    if (typeof name !== 'string' || name === '') return next(new Error('name required'));
    if (name.length > 40) return next(new Error('names are at most 40 characters'));
    const problem = roomProblem(io, room);
    if (problem) return next(new Error(problem));
    socket.data.name = name;
    next();
  });
  // #endregion exercise-handshake

  io.on('connection', (socket) => {
    // The first rooms: the one the query names, and the person's own.
    // #region exercise-own-room
    // The middleware has checked the query; what reaches here is valid.
    const { room = 'lobby' } = socket.handshake.query as { room?: string };
    // A room of one's own: user:<name> holds every tab that connected with this name.
    socket.join([room, `user:${socket.data.name}`]);
    // #endregion exercise-own-room

    // Every message, checked before any handler sees it.
    // #region exercise-check-messages
    // A client can send anything, whatever the event maps say: this middleware
    // sees each message first, and only a message of the right shape goes on.
    socket.use(([event, ...args], next) => {
      // The acknowledgement comes last, and only when the client asked for one.
      const last = args.at(-1);
      const ack = typeof last === 'function' ? (last as (reply: Failure) => void) : undefined;
      if (ack) args.pop();
      // Without an acknowledgement nobody hears the answer: refuse it all the same.
      const problem = ack ? messageProblem(event, args) : 'no acknowledgement';
      if (!problem) return next();
      // Not calling next() drops the message; the answer says why.
      ack?.({ error: problem });
    });
    // #endregion exercise-check-messages

    // Joining and leaving answer with the socket's rooms.
    // #region exercise-join-leave
    socket.on(
      'join',
      guarded((room, ack) => {
        const refused = roomProblem(io, room);
        if (refused) return ack({ error: refused });
        socket.join(room);
        ack({ rooms: roomsOf(socket) });
      }),
    );

    socket.on(
      'leave',
      guarded((room, ack) => {
        const refused = roomProblem(io, room);
        if (refused) return ack({ error: refused });
        socket.leave(room);
        ack({ rooms: roomsOf(socket) });
      }),
    );
    // #endregion exercise-join-leave

    // say: to the other members of a room the sender is in.
    // #region exercise-say
    socket.on(
      'say',
      guarded(({ room, text }, ack) => {
        if (!socket.rooms.has(room)) return ack({ error: 'not in room' });
        // socket.to(room): every member of the room except this socket.
        socket.to(room).emit('said', { from: socket.data.name, room, text });
        ack({ ok: true });
      }),
    );
    // #endregion exercise-say

    // members: the names in any room, user: rooms included.
    // #region exercise-members
    socket.on(
      'members',
      guarded(async (room, ack) => {
        // No room rule here: asking who is in a room joins nothing, and
        // members('user:ana') is how a client asks whether Ana is connected.
        const sockets = await io.in(room).fetchSockets();
        // One person with two tabs is two sockets, but one member.
        const names = new Set(sockets.map((member) => member.data.name));
        ack({ members: [...names].sort() });
      }),
    );
    // #endregion exercise-members

    // whisper: to every tab of one person, through their user: room.
    // #region exercise-whisper
    socket.on(
      'whisper',
      guarded(async ({ to, text }, ack) => {
        const room = `user:${to}`;
        if ((await io.in(room).fetchSockets()).length === 0) return ack({ error: 'no such user' });
        // One emit reaches every tab that connected as `to`: each one joined user:<to>.
        io.to(room).emit('whispered', { from: socket.data.name, text });
        ack({ ok: true });
      }),
    );
    // #endregion exercise-whisper
  });

  return { app, httpServer, io };
}
