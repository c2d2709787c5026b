import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { Server, type Socket } from 'socket.io';
import {
  type Connection,
  type ConnectionLimits,
  type SessionRequest,
  sessionKey,
  trackConnections,
} from './connections.ts';
import type {
  ChatAck,
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SocketData,
} from './events.ts';
import { chatLimiter, type LoginLimits, loginThrottle, type Rate } from './limits.ts';
import { type EngineRequest, originCheck, requestRefusal } from './origin.ts';
import { DEMO_USERS, verifyUser } from './users.ts';

// What a logged-in session holds, for express-session's types.
declare module 'express-session' {
  interface SessionData {
    username: string;
  }
}

type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

const publicDir = fileURLToPath(new URL('../public', import.meta.url));

// #region options
export interface AppOptions {
  /** Signs the session cookie. The first secret signs; all of them verify, to rotate secrets. */
  secret?: string | string[];
  /** How long a session lives after the last HTTP request that carried its cookie. */
  sessionTtlMs?: number;
  /** How often connected sockets check that their session still exists. */
  sessionCheckMs?: number;
  /** Origins allowed besides the server's own (http://localhost:<port>, http://127.0.0.1:<port>). */
  allowedOrigins?: string[];
  /** Express's 'trust proxy' setting, for a server behind a reverse proxy that terminates HTTPS. */
  trustProxy?: boolean | number | string;
  /** Where sessions live; MemoryStore by default, which suits one process in development only. */
  store?: session.Store;
  /** At most `max` chat messages per session, all its sockets together, in any `perMs` window. */
  chatRate?: Rate;
  /** Connections per session, and what one client that does not read may make the server queue. */
  connectionLimits?: Partial<ConnectionLimits>;
  /** Failed logins per address and per user, and how much scrypt work runs at once. */
  loginLimits?: Partial<LoginLimits>;
  /** Accept the demo accounts (alice, bob), whose passwords the demo page prints. */
  demoUsers?: boolean;
  /** The demo accounts, username → hashPassword() hash; alice and bob by default. */
  users?: ReadonlyMap<string, string>;
}

const FIFTEEN_MINUTES = 15 * 60_000;

export const DEFAULTS = {
  sessionTtlMs: 30 * 60_000,
  sessionCheckMs: 10_000,
  chatRate: { max: 10, perMs: 1000 },
  connectionLimits: { perSession: 10, anonymous: 100, queuedBytes: 1 << 20 },
  loginLimits: {
    perAddress: { max: 10, perMs: FIFTEEN_MINUTES },
    perUser: { max: 20, perMs: FIFTEEN_MINUTES },
    hashes: Math.min(2, Math.max(1, availableParallelism() - 1)),
    queued: 8,
    perAddressAtOnce: 2,
  },
} satisfies Required<Pick<AppOptions, 'sessionTtlMs' | 'sessionCheckMs' | 'chatRate'>> & {
  connectionLimits: ConnectionLimits;
  loginLimits: LoginLimits;
};
export const MAX_MESSAGE_BYTES = 16 * 1024;
export const SESSION_COOKIE = 'sid';
// #endregion options

/** Build the app, its HTTP server and its Socket.IO server. Opens no port: see server.ts. */
export function createApp(options: AppOptions = {}) {
  const {
    secret = randomBytes(32).toString('hex'),
    sessionTtlMs = DEFAULTS.sessionTtlMs,
    sessionCheckMs = DEFAULTS.sessionCheckMs,
    allowedOrigins = [],
    trustProxy,
    store = new session.MemoryStore(),
    chatRate = DEFAULTS.chatRate,
    demoUsers = true,
    users = DEMO_USERS,
  } = options;
  const connectionLimits = { ...DEFAULTS.connectionLimits, ...options.connectionLimits };
  const loginLimits = { ...DEFAULTS.loginLimits, ...options.loginLimits };

  const app = express();
  const httpServer = createServer(app);
  if (trustProxy !== undefined) app.set('trust proxy', trustProxy);

  // #region session
  // One middleware, one store, one secret: Express and Socket.IO read the same sessions.
  const sessionMiddleware = session({
    name: SESSION_COOKIE,
    secret,
    store,
    resave: false,
    saveUninitialized: false, // no session, and no cookie, until someone logs in
    rolling: true, // every response that loads the session renews the cookie's expiry
    cookie: {
      httpOnly: true, // page scripts cannot read it, so an XSS bug cannot steal it
      sameSite: 'lax', // not sent on cross-site subrequests or POSTs
      secure: 'auto', // Secure when the login request came over HTTPS
      maxAge: sessionTtlMs,
    },
  });
  // #endregion session

  const isAllowedOrigin = originCheck(httpServer, allowedOrigins);

  // #region same-origin-routes
  // The same check for the routes that change state: SameSite is per site, not
  // per origin. Browsers send Origin on every POST, so a POST without one is a script.
  const sameOriginOnly: RequestHandler = (req, res, next) => {
    const { origin } = req.headers;
    if (origin === undefined || isAllowedOrigin(origin)) next();
    else res.status(403).json({ error: 'origin not allowed' });
  };
  // #endregion same-origin-routes

  // #region login-gate
  // First of all: a login flood from one address is refused for the price of the
  // request. req.ip is the client's address; behind a proxy, with 'trust proxy',
  // the one the proxy forwards.
  const loginLimiter = loginThrottle(loginLimits);
  app.post('/login', loginLimiter.gate);
  // #endregion login-gate

  // #region headers
  // X-Powered-By tells an attacker which server to look up. frame-ancestors 'none'
  // (and X-Frame-Options for older browsers) keeps any page, same-site ones
  // included, from framing the logged-in page and tricking clicks on it.
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'frame-ancestors': ["'none'"],
          // A page served over plain HTTP on a LAN address (HOST=0.0.0.0) must still
          // load its scripts; in production, HTTPS is the proxy's job.
          'upgrade-insecure-requests': null,
        },
      },
      xFrameOptions: { action: 'deny' },
    }),
  );
  // #endregion headers

  app.use(express.static(publicDir));
  app.use(express.json({ limit: '1kb' }));
  app.use(sessionMiddleware);

  const io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(
    httpServer,
    {
      // #region limits
      // A bigger message ends that client's connection, never the server: over
      // WebSocket with close code 1009; over polling the POST gets HTTP 413 and
      // the official client closes (the cap is per POST body, several packets).
      maxHttpBufferSize: MAX_MESSAGE_BYTES,
      // #endregion limits
      // #region allow-request
      // Runs for every handshake, long-polling or WebSocket, before the io.use
      // middlewares, and for nothing else. CORS does not cover WebSocket, so the
      // origin check that the first middleware made answers here, with 403 and
      // the reason; so does a session that holds too many connections already.
      allowRequest: (req, callback) => {
        const reason =
          (req as EngineRequest).refusal ?? connections.refusal(sessionKey(req as SessionRequest));
        callback(reason ?? null, reason === undefined);
      },
      // #endregion allow-request
    },
  );
  const sessionRoom = (sessionId: string) => `session:${sessionId}`;
  const connections = trackConnections(connectionLimits);
  io.engine.on('connection', (conn: Connection) => connections.add(conn));

  // What logout, expiry and a new login in the same browser call: fileSocket()
  // for every new socket, endSession() to end every socket and every Engine.IO
  // connection of a session.
  // #region exercise-logout
  // TODO(logout): fileSocket(socket) runs for every new socket: join it to its
  // session's room (sessionRoom(socket.data.sessionId)), and close its connection
  // (socket.conn) when the socket disconnects. endSession(sessionId) disconnects every
  // socket in that room with a DISCONNECT the client sees, then closes every Engine.IO
  // connection of the session, those without a socket too (connections.closeAll).
  function fileSocket(socket: ChatSocket) {
    void socket;
  }

  function endSession(sessionId: string) {
    void sessionId;
    void sessionRoom;
  }
  // #endregion exercise-logout

  // #region login
  app.post('/login', sameOriginOnly, async (req, res) => {
    const { username, password } = req.body ?? {};
    if (
      typeof username !== 'string' ||
      typeof password !== 'string' ||
      username.length > 64 ||
      password.length > 256
    ) {
      res.status(400).json({ error: 'Send JSON { "username": string, "password": string }' });
      return;
    }
    // #region demo-users
    // config.ts sets demoUsers to false in production: the demo page prints these passwords.
    const verify = async () =>
      demoUsers ? await verifyUser(username, password, users) : undefined;
    // #endregion demo-users
    const user = await loginLimiter.attempt(req, res, username, verify);
    if (!user) return; // answered: 401, 429 or 503
    // #endregion login
    // A session that was already logged in (another user in the same browser) ends here.
    if (req.session.username) endSession(req.session.id);
    // #region exercise-login
    // TODO(login): give the session a new id (req.session.regenerate), store the
    // username in it, save it (req.session.save), then answer { username }.
    void user;
    res.status(501).json({ error: 'Not implemented yet: exercise login in app.ts' });
    // #endregion exercise-login
  });

  app.post('/logout', sameOriginOnly, async (req, res) => {
    const sessionId = req.session.id;
    await new Promise<void>((resolve, reject) => {
      req.session.destroy((error) => (error ? reject(error) : resolve()));
    });
    // Every socket and connection of this session.
    endSession(sessionId);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  app.get('/me', (req, res) => {
    if (req.session.username) res.json({ username: req.session.username });
    else res.status(401).json({ error: 'Not logged in' });
  });

  // Malformed JSON (400) and oversized bodies (413) answer in JSON, without a stack trace.
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const status = Number(error?.status) || 500;
    res.status(status).json({ error: status < 500 ? String(error.message) : 'Internal error' });
  };
  app.use(onError);

  // #region exercise-origin-check
  // TODO(origin-check): register an io.engine.use middleware, before the session's,
  // that runs for every Engine.IO request: keep requestRefusal(req, isAllowedOrigin)
  // in req.refusal, for allowRequest to answer; refuse a request that carries a sid
  // (req._query.sid) at once, with next(new Error(reason)). Until then nothing is checked.
  void requestRefusal;
  // #endregion exercise-origin-check

  // #region session-on-node
  // express-session is typed for Express's requests, and uses only what a
  // plain Node request and response have: Engine.IO's requests are plain ones.
  type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  const sessionOnNode = sessionMiddleware as unknown as NodeMiddleware;
  // #endregion session-on-node

  // #region exercise-share-session
  // TODO(share-session): run the session middleware (sessionOnNode) on Socket.IO's
  // handshake requests with io.engine.use: only on a request without a sid
  // (req._query.sid) that the origin check did not refuse (req.refusal).
  // Until then no socket has a session.
  void sessionOnNode;
  // #endregion exercise-share-session

  // #region one-socket
  // One Socket.IO socket per Engine.IO connection. Socket.IO itself accepts a
  // CONNECT packet again and again on one connection, each a new socket in
  // every broadcast: 3,000 of them fit in one 9 KB POST. A second CONNECT, or
  // one after a DISCONNECT, closes the connection instead.
  const hadSocket = new WeakSet<Connection>();
  io.use((socket, next) => {
    if (hadSocket.has(socket.conn)) {
      next(new Error('one socket per connection'));
      socket.conn.close(true);
      return;
    }
    hadSocket.add(socket.conn);
    next();
  });
  // #endregion one-socket

  // #region exercise-auth
  // TODO(auth): in io.use, refuse a socket whose handshake session has no username
  // with next(new Error('unauthorized')); read the session again from the store
  // (store.get) and refuse it if the store no longer has a username for it; otherwise
  // set socket.data.username and socket.data.sessionId, then call next().
  io.use((_socket, next) => next(new Error('Not implemented yet: exercise auth in app.ts')));
  // #endregion exercise-auth

  // One budget per session, made once for the app: every socket of a session spends from it.
  const allowChat = chatLimiter(chatRate);
  io.on('connection', (socket) => {
    const { username, sessionId } = socket.data;
    fileSocket(socket);

    // #region welcome
    socket.emit('welcome', { username });

    // The event maps type honest clients. A hostile one sends anything, so every
    // handler takes unknown arguments and checks them, the ack included.
    socket.on('whoami', (...args: unknown[]) => {
      const ack = args.at(-1);
      if (typeof ack === 'function') ack({ username });
    });
    // #endregion welcome

    // #region exercise-chat-checks
    // TODO(chat-checks): handle chat. Take the acknowledgement (the last argument) and
    // drop a message without one; answer { error: 'rate limited' } when
    // allowChat(sessionId) resolves false; accept exactly one string of 1 to 500
    // characters, else answer { error }; broadcast { from: username, text } to everyone
    // and answer { ok: true }. Catch a rejection: answer { error: 'internal error' }.
    void allowChat;
    void sessionId;
    socket.on('chat', (...args: unknown[]) => {
      const ack = args.at(-1);
      const refusal: ChatAck = { error: 'Not implemented yet: exercise chat-checks' };
      if (typeof ack === 'function') ack(refusal);
    });
    // #endregion exercise-chat-checks
  });

  // A connection outlives the HTTP request that opened it, so it must recheck
  // its session: any session the store no longer has (expired, destroyed,
  // regenerated) loses its connections within one interval, with a socket or not.
  function endExpiredSessions() {
    // #region exercise-expiry
    // TODO(expiry): for each session that holds a connection (connections.sessionIds()),
    // ask the store for it and end it (endSession) when the store answers without a username.
    void endSession;
    // #endregion exercise-expiry
  }
  // #region expiry-timer
  httpServer.on('listening', () => {
    const timer = setInterval(endExpiredSessions, sessionCheckMs);
    httpServer.once('close', () => clearInterval(timer));
  });
  // #endregion expiry-timer

  return { app, httpServer, io };
}
