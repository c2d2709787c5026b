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
  // TODO(handshake): refuse a connection whose query has no name ('name required') or a
  // name over 40 characters ('names are at most 40 characters'); check the query's room
  // (default 'lobby') with roomProblem() and refuse with its reason; keep the name in
  // socket.data.name. Until then, every connection is refused.
  io.use((_socket, next) => next(new Error('not implemented: the handshake (TODO handshake)')));
  // #endregion exercise-handshake

  io.on('connection', (socket) => {
    // The first rooms: the one the query names, and the person's own.
    // #region exercise-own-room
    // TODO(own-room): join the room the handshake query names (default 'lobby') and
    // user:<name>, the room of every tab that connected with this name.
    // #endregion exercise-own-room

    // Every message, checked before any handler sees it.
    // #region exercise-check-messages
    // TODO(check-messages), the last exercise: check every message with messageProblem()
    // before any handler sees it; answer { error } through the acknowledgement, and drop a
    // message that has none. Until then, every message reaches its handler unchecked.
    void messageProblem; // the check above, yours to call
    socket.use((_message, next) => next());
    // #endregion exercise-check-messages

    // Joining and leaving answer with the socket's rooms.
    // #region exercise-join-leave
    // TODO(join-leave): join or leave the room after checking it with roomProblem(), and
    // answer { rooms: roomsOf(socket) }, or { error } with roomProblem()'s reason.
    void [roomProblem, roomsOf]; // the rules above, yours to call
    socket.on(
      'join',
      guarded((_room, ack) => ack({ error: 'not implemented: join (TODO join-leave)' })),
    );
    socket.on(
      'leave',
      guarded((_room, ack) => ack({ error: 'not implemented: leave (TODO join-leave)' })),
    );
    // #endregion exercise-join-leave

    // say: to the other members of a room the sender is in.
    // #region exercise-say
    // TODO(say): send 'said' { from, room, text } (from: the sender's name) to the other
    // members of the room; answer { ok: true }, or { error: 'not in room' } when the sender
    // is not a member.
    socket.on(
      'say',
      guarded((_message, ack) => ack({ error: 'not implemented: say (TODO say)' })),
    );
    // #endregion exercise-say

    // members: the names in any room, user: rooms included.
    // #region exercise-members
    // TODO(members): answer { members } with the names of the sockets in any room, user:
    // rooms included, sorted, each once.
    socket.on(
      'members',
      guarded((_room, ack) => ack({ error: 'not implemented: members (TODO members)' })),
    );
    // #endregion exercise-members

    // whisper: to every tab of one person, through their user: room.
    // #region exercise-whisper
    // TODO(whisper): send 'whispered' { from, text } (from: the sender's name) to every tab
    // of the person named `to`; answer { ok: true }, or { error: 'no such user' } when nobody
    // by that name is connected.
    socket.on(
      'whisper',
      guarded((_message, ack) => ack({ error: 'not implemented: whisper (TODO whisper)' })),
    );
    // #endregion exercise-whisper
  });

  return { app, httpServer, io };
}
