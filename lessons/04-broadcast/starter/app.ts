import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Server } from 'socket.io';
import type { ClientToServerEvents, Failure, ServerToClientEvents, SocketData } from './events.ts';

const publicDir = fileURLToPath(new URL('../public', import.meta.url));

type BroadcastServer = Server<ClientToServerEvents, ServerToClientEvents, object, SocketData>;

/** Why a client may not join `room`, or undefined when it may: the rules of lesson 3. */
function roomProblem(io: BroadcastServer, room: unknown): string | undefined {
  if (typeof room !== 'string' || room.length < 1 || room.length > 40) {
    return 'room names are 1 to 40 characters';
  }
  if (room.startsWith('user:')) return 'rooms starting with "user:" are reserved';
  if (io.of('/').sockets.has(room)) return 'that room belongs to a socket';
  return undefined;
}

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

/** Build the app, its HTTP server and its Socket.IO server. Opens no port: see server.ts. */
export function createApp() {
  const app = express();
  app.use(express.static(publicDir));
  const httpServer = createServer(app);
  const io: BroadcastServer = new Server(httpServer);

  io.on('connection', (socket) => {
    const { name } = socket.handshake.query;
    socket.data.name = typeof name === 'string' && name !== '' ? name.slice(0, 40) : socket.id;

    // The event maps describe what a well-behaved client sends, but a client can
    // send anything. Check every message's shape before any handler sees it;
    // bye carries nothing that its handler reads.
    socket.use(([event, ...args], next) => {
      if (event === 'bye') return next();
      // Socket.IO passes the acknowledgement last, when the client asked for one.
      const ack =
        typeof args.at(-1) === 'function' ? (args.pop() as (reply: Failure) => void) : undefined;
      const problem = messageProblem(event, args) ?? (ack ? undefined : 'no acknowledgement');
      if (!problem) return next();
      // Refuse with the reason when the client can hear it; drop the message otherwise.
      ack?.({ error: problem });
    });

    socket.on('join', (room, ack) => {
      const problem = roomProblem(io, room);
      if (problem) return ack({ error: problem });
      socket.join(room);
      ack({ rooms: [...socket.rooms].filter((r) => r !== socket.id).sort() });
    });

    // TODO: emit 'news' { from: socket.data.name, target, text } with the call that matches
    // the target: 'self', 'all', 'others', 'room', 'room-others' or 'except-room'.
    // Answer { ok: true }, or { error } for an unknown target or a room target without a room.
    socket.on('shout', (_shout, ack) => ack({ error: 'not implemented' }));

    // TODO: on 'bye', end this client's connection from the server.
  });

  return { app, httpServer, io };
}
