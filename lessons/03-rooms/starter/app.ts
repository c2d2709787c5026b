import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, Failure, ServerToClientEvents, SocketData } from './events.ts';

const publicDir = fileURLToPath(new URL('../public', import.meta.url));

type RoomsServer = Server<ClientToServerEvents, ServerToClientEvents, object, SocketData>;
type RoomsSocket = Socket<ClientToServerEvents, ServerToClientEvents, object, SocketData>;

/** Why a client may not use `room`, or undefined when it may. */
// biome-ignore lint/correctness/noUnusedVariables: yours to call from the handlers below
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
// biome-ignore lint/correctness/noUnusedVariables: yours to call from the handlers below
function roomsOf(socket: RoomsSocket): string[] {
  return [...socket.rooms].filter((room) => room !== socket.id).sort();
}

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
      if (typeof ack === 'function') ack({ error: 'server error' });
    }
  };
}

/** Build the app, its HTTP server and its Socket.IO server. Opens no port: see server.ts. */
export function createApp() {
  const app = express();
  app.use(express.static(publicDir));
  const httpServer = createServer(app);
  const io: RoomsServer = new Server(httpServer);

  // TODO: refuse a connection whose handshake query has no name, with
  // next(new Error('name required')); check the room (default 'lobby') with
  // roomProblem(), and keep the name in socket.data.name.
  io.use((_socket, next) => {
    next(new Error('not implemented: see the TODOs in app.ts'));
  });

  io.on('connection', (socket) => {
    // TODO: join the room named in the handshake query (default 'lobby') and user:<name>.

    // The event maps describe what a well-behaved client sends, but a client can
    // send anything. Check every message's shape before any handler sees it.
    socket.use(([event, ...args], next) => {
      // Socket.IO passes the acknowledgement last, when the client asked for one.
      const ack =
        typeof args.at(-1) === 'function' ? (args.pop() as (reply: Failure) => void) : undefined;
      const problem = messageProblem(event, args) ?? (ack ? undefined : 'no acknowledgement');
      if (!problem) return next();
      // Refuse with the reason when the client can hear it; drop the message otherwise.
      ack?.({ error: problem });
    });

    // TODO: join or leave the room after checking it with roomProblem(); answer { rooms: roomsOf(socket) }.
    socket.on(
      'join',
      guarded((_room, ack) => ack({ error: 'not implemented' })),
    );
    socket.on(
      'leave',
      guarded((_room, ack) => ack({ error: 'not implemented' })),
    );

    // TODO: send 'said' { from: socket.data.name, room, text } to the other members of the room;
    // answer { ok: true }, or { error: 'not in room' } when the sender is not a member.
    socket.on(
      'say',
      guarded((_message, ack) => ack({ error: 'not implemented' })),
    );

    // TODO: send 'whispered' { from: socket.data.name, text } to every tab of the user named `to`;
    // answer { ok: true }, or { error: 'no such user' } when nobody by that name is connected.
    socket.on(
      'whisper',
      guarded((_message, ack) => ack({ error: 'not implemented' })),
    );

    // TODO: answer { members } with the names of the sockets in the room, sorted, each once.
    socket.on(
      'members',
      guarded((_room, ack) => ack({ error: 'not implemented' })),
    );
  });

  return { app, httpServer, io };
}
