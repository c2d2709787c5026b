import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Server, type Socket } from 'socket.io';
import type {
  ClientToServerEvents,
  Draft,
  Failure,
  ServerToClientEvents,
  SocketData,
} from './events.ts';
import { openStore, type Store } from './store.ts';

const publicDir = fileURLToPath(new URL('../public', import.meta.url));

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, object, SocketData>;
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, object, SocketData>;

/** The demo's users, by the token each one connects with. */
export const DEMO_USERS: Record<string, string> = {
  'token-ana': 'ana',
  'token-ben': 'ben',
  'token-cat': 'cat',
};

export interface AppOptions {
  /** The SQLite file of the history; ':memory:' (gone with the app) when left out. */
  dbPath?: string;
  /** Who may connect: user name by token. The app keeps this map, so deleting a token revokes it. */
  users?: Map<string, string>;
  /** How long after a disconnection a client may recover its session; 2 minutes by default. */
  recoveryMs?: number;
  /** Engine.IO heartbeats: shortened by the tests. */
  pingInterval?: number;
  pingTimeout?: number;
}

// #region checks
/** A rule for one value a client sends: why it will not do, or undefined when it will. */
type Rule = (value: unknown) => string | undefined;

const roomName: Rule = (room) =>
  typeof room === 'string' && /^[a-z0-9-]{1,40}$/.test(room)
    ? undefined
    : 'rooms are 1 to 40 of a-z, 0-9 and -';

const draftFields: Record<keyof Draft, Rule> = {
  room: roomName,
  id: (id) =>
    typeof id === 'string' && id.length >= 1 && id.length <= 64
      ? undefined
      : 'ids are 1 to 64 characters',
  text: (text) =>
    typeof text === 'string' && text.length >= 1 && text.length <= 500
      ? undefined
      : 'texts are 1 to 500 characters',
};

/** A draft is an object of exactly room, id and text, each a string: nothing nested. */
const draft: Rule = (value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'malformed message';
  if (Object.keys(value).some((key) => !Object.hasOwn(draftFields, key)))
    return 'malformed message';
  for (const [field, rule] of Object.entries(draftFields)) {
    const problem = rule((value as Record<string, unknown>)[field]);
    if (problem) return problem;
  }
  return undefined;
};

type Ack<Reply> = (reply: Reply | Failure) => void;

/**
 * A handler for one payload and an acknowledgement, whatever the client sends.
 * A message without an acknowledgement is dropped (nobody would hear the
 * answer); a payload that breaks `rule` is answered { error }; and a handler
 * that throws (a full disk, say) answers { error: 'server error' } instead of
 * ending the process, since Socket.IO calls handlers outside any try/catch.
 */
function checked<Payload, Reply>(
  rule: Rule,
  handler: (payload: Payload, ack: Ack<Reply>) => void,
): (...args: unknown[]) => void {
  return (...args) => {
    const ack = args.at(-1);
    if (typeof ack !== 'function') return;
    const reply = ack as Ack<Reply>;
    if (args.length !== 2) return reply({ error: 'malformed message' });
    const problem = rule(args[0]);
    if (problem) return reply({ error: problem });
    try {
      handler(args[0] as Payload, reply);
    } catch (error) {
      console.error(error);
      reply({ error: 'server error' });
    }
  };
}
// #endregion checks

// The history's two halves: the offset a client sends, and what it missed.
// #region exercise-history
/** An io.use() middleware: check auth.serverOffset, keep it in socket.data. */
function readOffset(socket: ChatSocket, next: (error?: Error) => void): void {
  const { serverOffset = 0 } = socket.handshake.auth as { serverOffset?: unknown };
  if (!Number.isSafeInteger(serverOffset) || (serverOffset as number) < 0) {
    next(new Error('serverOffset must be a whole number, 0 or more'));
    return;
  }
  socket.data.serverOffset = serverOffset as number;
  next();
}

/** On connection: send the messages the socket's user missed, oldest first. */
function catchUp(socket: ChatSocket, store: Store): void {
  // A recovered socket has had its missed events replayed by Socket.IO:
  // sending them from the history as well would deliver them twice.
  if (socket.recovered) return;
  for (const message of store.after(socket.data.user, socket.data.serverOffset)) {
    socket.emit('chat', message);
  }
}
// #endregion exercise-history

/** Build the app, its HTTP server and its Socket.IO server. Opens no port: see server.ts. */
export function createApp(options: AppOptions = {}) {
  const { recoveryMs = 2 * 60_000, pingInterval = 25_000, pingTimeout = 20_000 } = options;
  const store = openStore(options.dbPath ?? ':memory:');
  const users = options.users ?? new Map(Object.entries(DEMO_USERS));
  const app = express();
  app.use(express.static(publicDir));
  const httpServer = createServer(app);
  // Closing the app (io.close() closes the HTTP server) closes the database.
  httpServer.on('close', () => store.close());

  // The server, with connection state recovery.
  // #region exercise-recovery
  const io: ChatServer = new Server(httpServer, {
    pingInterval,
    pingTimeout,
    // A client that comes back within recoveryMs gets its socket.id, its
    // rooms and the events it missed, replayed by the server.
    connectionStateRecovery: {
      maxDisconnectionDuration: recoveryMs,
      // Run the middlewares on a recovery too: a token revoked during the
      // outage must not come back in.
      skipMiddlewares: false,
    },
  });
  // #endregion exercise-recovery

  // #region auth
  // Who is connecting: the server's own answer for a token, never a name the client claims.
  io.use((socket, next) => {
    const { token } = socket.handshake.auth as { token?: unknown };
    const user = typeof token === 'string' ? users.get(token) : undefined;
    if (!user) return next(new Error('unauthorized'));
    socket.data.user = user;
    next();
  });
  // #endregion auth

  // The offset a reconnecting client sends, checked before any socket exists.
  io.use(readOffset);

  io.on('connection', (socket) => {
    const { user } = socket.data;

    // The user's rooms, from what the server knows.
    // #region exercise-rejoin
    // A new socket is in no room: put it back in every room this user joined,
    // as the store remembers them (a recovered socket has them already).
    if (!socket.recovered) socket.join(store.rooms(user));

    socket.on(
      'join',
      checked<string, { rooms: string[] }>(roomName, (room, ack) => {
        store.join(user, room);
        socket.join(room);
        ack({ rooms: store.rooms(user) });
      }),
    );
    // #endregion exercise-rejoin

    // What the client missed, from the history.
    catchUp(socket, store);

    // A chat message: stored and sent once, however often it arrives.
    socket.on(
      'chat',
      checked<Draft, { offset: number; duplicate: boolean }>(draft, ({ room, id, text }, ack) => {
        if (!socket.rooms.has(room)) return ack({ error: 'not in room' });
        // #region exercise-dedup
        // A retry carries the id of the first try: answer it as before, send nothing.
        const known = store.find(user, id);
        if (known) return ack({ offset: known.offset, duplicate: true });
        const message = store.insert(room, user, id, text);
        io.to(room).emit('chat', message);
        ack({ offset: message.offset, duplicate: false });
        // #endregion exercise-dedup
      }),
    );
  });

  return { app, httpServer, io, store, users };
}
