import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { Server } from 'socket.io';
import type {
  ChatAck,
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SocketData,
} from './events.ts';
import { verifyUser } from './users.ts';

// What a logged-in session holds, for express-session's types.
declare module 'express-session' {
  interface SessionData {
    username: string;
  }
}

// Socket.IO's requests are plain Node requests, which express-session decorates too.
type SessionRequest = IncomingMessage & {
  session?: session.Session & Partial<session.SessionData>;
};

const publicDir = fileURLToPath(new URL('../public', import.meta.url));

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
  /** At most `max` chat messages per socket in any `perMs` window. */
  chatRate?: { max: number; perMs: number };
  /** Accept the demo accounts (alice, bob), whose passwords the demo page prints. */
  demoUsers?: boolean;
}

export const DEFAULTS = {
  sessionTtlMs: 30 * 60_000,
  sessionCheckMs: 10_000,
  chatRate: { max: 10, perMs: 1000 },
};
export const MAX_MESSAGE_BYTES = 16 * 1024;
export const SESSION_COOKIE = 'sid';

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
  } = options;

  const app = express();
  const httpServer = createServer(app);
  if (trustProxy !== undefined) app.set('trust proxy', trustProxy);

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

  // The server's own origins, for the port it actually listens on, plus the configured ones.
  function isAllowedOrigin(origin: string | undefined): boolean {
    // No Origin: a script, or a same-origin GET from our own page. The session decides.
    if (origin === undefined) return true;
    const address = httpServer.address();
    const port = typeof address === 'object' && address ? address.port : undefined;
    const own = [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
    return own.includes(origin) || allowedOrigins.includes(origin);
  }

  // The same check for the routes that change state: SameSite is per site, not per origin.
  const sameOriginOnly: RequestHandler = (req, res, next) => {
    if (isAllowedOrigin(req.headers.origin)) next();
    else res.status(403).json({ error: 'origin not allowed' });
  };

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

  app.use(express.static(publicDir));
  app.use(express.json({ limit: '1kb' }));
  app.use(sessionMiddleware);

  const io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(
    httpServer,
    {
      // A bigger message closes that client's connection, not the server:
      // over WebSocket with close code 1009, over polling with HTTP 413.
      maxHttpBufferSize: MAX_MESSAGE_BYTES,
      // TODO: refuse a handshake whose Origin header is present and not allowed
      // (see isAllowedOrigin above), on polling and WebSocket alike:
      // callback('origin not allowed', false). Let every other one through.
      // This stand-in lets every origin in.
      allowRequest: (_req, callback) => {
        callback(null, true);
      },
    },
  );
  const sessionRoom = (sessionId: string) => `session:${sessionId}`;

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
    // config.ts sets demoUsers to false in production: the demo page prints these passwords.
    const user = demoUsers ? await verifyUser(username, password) : undefined;
    if (!user) {
      res.status(401).json({ error: 'Wrong username or password' });
      return;
    }
    // A session that was already logged in (another user in the same browser) ends here.
    if (req.session.username) io.in(sessionRoom(req.session.id)).disconnectSockets(true);
    // A new session id on every login defeats session fixation: an id an attacker
    // planted or learned before the login is destroyed, never promoted.
    await new Promise<void>((resolve, reject) => {
      req.session.regenerate((error) => (error ? reject(error) : resolve()));
    });
    req.session.username = user;
    await new Promise<void>((resolve, reject) => {
      req.session.save((error) => (error ? reject(error) : resolve()));
    });
    res.json({ username: user });
  });

  app.post('/logout', sameOriginOnly, async (req, res) => {
    const sessionId = req.session.id;
    await new Promise<void>((resolve, reject) => {
      req.session.destroy((error) => (error ? reject(error) : resolve()));
    });
    // TODO: disconnect every socket of this session: each one joined sessionRoom(sessionId).
    void sessionId;
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

  // TODO: share sessionMiddleware with Socket.IO's handshake requests through
  // io.engine.use(...), so that socket.request.session is the Express session.
  // Run it only when req._query.sid is undefined (the handshake) and the origin
  // is allowed (isAllowedOrigin(req.headers.origin)): these middlewares run before
  // allowRequest, and a refused handshake must not reach the session store. Pass
  // req and res to it as plain Node objects. Until then no socket has a session.

  // A connection without a logged-in session never reaches 'connection':
  // the client gets connect_error with the message 'unauthorized'.
  io.use((socket, next) => {
    const { session } = socket.request as SessionRequest;
    // TODO: without session?.username, refuse with next(new Error('unauthorized')).
    // With one, set socket.data.username and socket.data.sessionId (session.id), then next().
    void session;
    next(new Error('Not implemented yet: see the TODOs in app.ts'));
  });

  io.on('connection', (socket) => {
    const { username, sessionId } = socket.data;
    // One room per session, so logout and expiry can find its sockets.
    socket.join(sessionRoom(sessionId));
    socket.emit('welcome', { username });

    // The event maps type honest clients. A hostile one sends anything, so every
    // handler takes unknown arguments and checks them, the ack included.
    socket.on('whoami', (...args: unknown[]) => {
      const ack = args.at(-1);
      if (typeof ack === 'function') ack({ username });
    });

    const allowChat = rateLimiter(chatRate);
    socket.on('chat', (...args: unknown[]) => {
      const ack = args.at(-1);
      if (typeof ack !== 'function') return; // no way to answer: drop it
      const reply = ack as (result: ChatAck) => void;
      if (!allowChat()) {
        reply({ error: 'rate limited' });
        return;
      }
      const text = args.length === 2 ? args[0] : undefined;
      if (typeof text !== 'string' || text.length < 1 || text.length > 500) {
        reply({ error: 'chat takes one string of 1 to 500 characters' });
        return;
      }
      io.emit('chat', { from: username, text });
      reply({ ok: true });
    });
  });

  // A socket outlives the HTTP request that opened it, so it must recheck its
  // session: any session the store no longer has (expired, destroyed,
  // regenerated) loses its sockets within one interval.
  function disconnectEndedSessions() {
    const sessionIds = new Set([...io.of('/').sockets.values()].map((s) => s.data.sessionId));
    for (const sessionId of sessionIds) {
      store.get(sessionId, (error, stored) => {
        // A store that fails to answer is not proof that the session ended.
        if (!error && !stored?.username) io.in(sessionRoom(sessionId)).disconnectSockets(true);
      });
    }
  }
  httpServer.on('listening', () => {
    const timer = setInterval(disconnectEndedSessions, sessionCheckMs);
    httpServer.once('close', () => clearInterval(timer));
  });

  return { app, httpServer, io };
}

/** Allow at most `max` calls in any `perMs` window, counting the calls allowed. */
function rateLimiter({ max, perMs }: { max: number; perMs: number }): () => boolean {
  const allowedAt: number[] = [];
  return () => {
    const now = Date.now();
    while (allowedAt.length > 0 && (allowedAt[0] ?? 0) <= now - perMs) allowedAt.shift();
    if (allowedAt.length >= max) return false;
    allowedAt.push(now);
    return true;
  };
}
