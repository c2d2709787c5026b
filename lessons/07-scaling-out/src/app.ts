import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler } from 'express';
import session from 'express-session';
import { Server, type Socket } from 'socket.io';
import type {
  ClientToServerEvents,
  Failure,
  InterServerEvents,
  Member,
  ServerToClientEvents,
  SocketData,
} from './events.ts';

// What a logged-in session holds, for express-session's types.
declare module 'express-session' {
  interface SessionData {
    username: string;
  }
}

export type ScaledServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
type ScaledSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
type SessionRequest = IncomingMessage & {
  session?: session.Session & Partial<session.SessionData>;
};

const publicDir = fileURLToPath(new URL('../public', import.meta.url));

export const SESSION_COOKIE = 'sid';

export interface AppOptions {
  /** Where sessions live. Every process must share one: see scale.ts. */
  store?: session.Store;
  /**
   * Signs the session cookie. Every process must sign with the same secret, or
   * a cookie from one is forged in the eyes of another.
   */
  secret?: string;
}

/** A name of 1 to 40 letters, digits, `-` or `_`. */
const NAME = /^[\w-]{1,40}$/;

/** Build the app, its HTTP server and its Socket.IO server. Opens no port: see server.ts. */
export function createApp(options: AppOptions = {}) {
  const { store = new session.MemoryStore(), secret = randomBytes(32).toString('hex') } = options;
  const app = express();
  const httpServer = createServer(app);
  app.disable('x-powered-by');

  const sessionMiddleware = session({
    name: SESSION_COOKIE,
    secret,
    store,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: 30 * 60_000 },
  });

  app.use(express.static(publicDir));
  app.use(express.json({ limit: '1kb' }));
  app.use(sessionMiddleware);

  // #region routes
  // Lesson 5's login, without passwords (that lesson's subject): a name is enough here.
  app.post('/login', async (req, res) => {
    const { username } = req.body ?? {};
    if (typeof username !== 'string' || !NAME.test(username)) {
      res.status(400).json({ error: 'Send JSON { "username": 1 to 40 letters, digits, - or _ }' });
      return;
    }
    await new Promise<void>((resolve, reject) =>
      req.session.regenerate((error) => (error ? reject(error) : resolve())),
    );
    req.session.username = username;
    await new Promise<void>((resolve, reject) =>
      req.session.save((error) => (error ? reject(error) : resolve())),
    );
    res.json({ username, worker: process.pid });
  });

  app.post('/logout', async (req, res) => {
    const sessionId = req.session.id;
    await new Promise<void>((resolve, reject) =>
      req.session.destroy((error) => (error ? reject(error) : resolve())),
    );
    // Every socket of the session, on every process the adapter reaches.
    io.in(sessionRoom(sessionId)).disconnectSockets(true);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  app.get('/me', (req, res) => {
    if (req.session.username) res.json({ username: req.session.username, worker: process.pid });
    else res.status(401).json({ error: 'Not logged in', worker: process.pid });
  });
  // #endregion routes

  // A store that fails (Redis unreachable) answers 503, in JSON, without a stack trace.
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const status = Number(error?.status) || 503;
    res
      .status(status)
      .json({ error: status < 500 ? String(error.message) : 'Service unavailable' });
  };
  app.use(onError);

  const io: ScaledServer = new Server(httpServer, {
    // Kept in the adapter: the Redis streams adapter keeps it across processes,
    // the cluster adapter does not keep it at all (see the lesson page).
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000 },
  });

  // The session on Socket.IO's handshake (the request without a sid), as in lesson 5.
  type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  const sessionOnNode = sessionMiddleware as unknown as NodeMiddleware;
  type EngineRequest = IncomingMessage & { _query: Record<string, string> };
  io.engine.use((req: EngineRequest, res: ServerResponse, next: () => void) => {
    if (req._query.sid === undefined) sessionOnNode(req, res, next);
    else next();
  });

  // #region auth
  // Read the session again from the store at every CONNECT: a logout through
  // another process has changed the store, not this handshake's copy.
  io.use((socket, next) => {
    const sessionId = (socket.request as SessionRequest).session?.id;
    if (sessionId === undefined) return next(new Error('unauthorized'));
    store.get(sessionId, (error, stored) => {
      if (error) next(new Error('session store unavailable'));
      else if (!stored?.username) next(new Error('unauthorized'));
      else {
        socket.data = { username: stored.username, sessionId, worker: process.pid };
        next();
      }
    });
  });
  // #endregion auth

  const sessionRoom = (sessionId: string) => `session:${sessionId}`;

  io.on('connection', (socket) => {
    const { username, sessionId } = socket.data;
    // A recovered socket is back in its rooms already, with what it missed.
    if (!socket.recovered) socket.join([`user:${username}`, sessionRoom(sessionId)]);
    socket.emit('welcome', { username, worker: process.pid });

    socket.on(
      'say',
      guarded(socket, (message: unknown) => {
        const { text, room } = (message ?? {}) as { text?: unknown; room?: unknown };
        if (typeof text !== 'string' || text.length < 1 || text.length > 500) {
          return { error: 'texts are 1 to 500 characters' };
        }
        if (room === undefined) {
          // Through the adapter, this reaches the clients of every process.
          io.emit('said', { from: username, text, worker: process.pid });
          return { ok: true };
        }
        if (!isRoom(room))
          return { error: 'room names are 1 to 40 characters, not user: or session:' };
        io.to(room).emit('said', { from: username, text, room, worker: process.pid });
        return { ok: true };
      }),
    );

    socket.on(
      'join',
      guarded(socket, async (room: unknown) => {
        if (!isRoom(room))
          return { error: 'room names are 1 to 40 characters, not user: or session:' };
        // Every tab of this user, on every process, joins: socketsJoin goes through the adapter.
        io.in(`user:${username}`).socketsJoin(room);
        // socketsJoin() returns before the other processes apply it, so a message to the room
        // right after this answer could miss a tab there. Each process reads the adapter's
        // messages in order, so its answer to this question comes after the join: answer
        // once they have all answered (or the adapter's requestsTimeout has passed).
        await otherWorkers(io).catch(() => undefined);
        return { ok: true };
      }),
    );

    socket.on(
      'members',
      guarded(socket, async (room: unknown) => {
        if (typeof room !== 'string' || room.length < 1 || room.length > 60) {
          return { error: 'room names are 1 to 60 characters' };
        }
        return { members: await members(io, room) };
      }),
    );

    socket.on(
      'workers',
      guarded(socket, async () => {
        // Every other process answers through the adapter (within its requestsTimeout,
        // 5 s by default); this one answers itself.
        const others = await otherWorkers(io);
        return { workers: [process.pid, ...others].sort((a, b) => a - b) };
      }),
    );
  });

  io.on('whoami', (ack) => ack(process.pid));

  return { app, httpServer, io };
}

/**
 * The process id of every other process, each asked through the adapter. With
 * one server (the in-memory adapter: no adapter set), nobody: that adapter's
 * serverSideEmit() only warns, and serverSideEmitWithAck() would never settle.
 */
async function otherWorkers(io: ScaledServer): Promise<number[]> {
  if ((await io.of('/').adapter.serverCount()) <= 1) return [];
  return io.serverSideEmitWithAck('whoami');
}

/** Whether a client may use `room`: its own name, not one of the rooms the server fills. */
function isRoom(room: unknown): room is string {
  return (
    typeof room === 'string' &&
    room.length >= 1 &&
    room.length <= 40 &&
    !room.startsWith('user:') &&
    !room.startsWith('session:')
  );
}

/**
 * Every member of `room`, on every process, sorted by name then worker: one
 * entry per socket, so a user with two tabs on two workers is listed twice.
 */
export async function members(io: ScaledServer, room: string): Promise<Member[]> {
  // #region exercise-members
  // fetchSockets() asks every process through the adapter, and waits for each
  // answer: the sockets it returns live elsewhere, with their data copied.
  const sockets = await io.in(room).fetchSockets();
  return sockets
    .map((socket) => ({ username: socket.data.username, worker: socket.data.worker }))
    .sort((a, b) => a.username.localeCompare(b.username) || a.worker - b.worker);
  // #endregion exercise-members
}

/**
 * A handler that checks its acknowledgement, answers what `handle` returns,
 * and answers { error } instead of ending the process when it throws.
 */
function guarded(
  socket: ScaledSocket,
  handle: (...args: unknown[]) => unknown,
): (...args: unknown[]) => void {
  return (...args) => {
    const ack = args.pop();
    if (typeof ack !== 'function') return; // nobody to answer: drop it
    Promise.resolve()
      .then(() => handle(...args))
      .then(
        (reply) => ack(reply),
        (error: Error) => {
          console.error(`worker ${process.pid}, ${socket.id}:`, error.message);
          ack({ error: 'server error' } satisfies Failure);
        },
      );
  };
}
