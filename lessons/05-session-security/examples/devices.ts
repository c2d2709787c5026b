// A worked example: a wall of status screens (kiosks) that connect with a
// device key, and an admin who unlocks a session with a PIN, renames screens
// and revokes them. It uses the APIs of the exercises to other ends: read it
// for how each one behaves, then write the lesson's own.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import express from 'express';
import session from 'express-session';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { Server } from 'socket.io';

declare module 'express-session' {
  interface SessionData {
    admin: boolean;
  }
}

/** Engine.IO's request: a Node request, with the query Engine.IO parsed. */
type EngineRequest = IncomingMessage & { _query: Record<string, string | undefined> };

interface DeviceOptions {
  /** The admin's PIN for POST /unlock. */
  pin: string;
  /** Device keys, each with the name its screen shows. */
  devices: Map<string, string>;
  /** How often connected screens check that their key is still registered. */
  sweepMs?: number;
}

export function createDeviceWall({ pin, devices, sweepMs = 10_000 }: DeviceOptions) {
  const app = express();
  const httpServer = createServer(app);
  const io = new Server(httpServer);
  /** What the handshake middleware saw, for the tests and an admin page. */
  const handshakes: { address: string; userAgent: string }[] = [];

  // #region example-regenerate
  // A session that gains a privilege gets a new id, as a login does: an id
  // that someone learned while the session was an ordinary one unlocks nothing.
  app.use(express.json({ limit: '1kb' }));
  app.use(session({ secret: 'example only', resave: false, saveUninitialized: false }));
  app.post('/unlock', async (req, res) => {
    if (req.body?.pin !== pin) {
      res.status(401).json({ error: 'wrong PIN' });
      return;
    }
    const renew = promisify(req.session.regenerate).bind(req.session);
    await renew();
    req.session.admin = true;
    await promisify(req.session.save).bind(req.session)();
    res.json({ admin: true });
  });
  // #endregion example-regenerate

  // #region example-engine-filter
  // Every Engine.IO request, the upgrade to WebSocket included, passes here
  // first. An Error passed to next() answers HTTP 400 and opens nothing: here,
  // for any request that does not come from this machine's own 127.0.0.1.
  const LOOPBACK = ['127.0.0.1', '::1', '::ffff:127.0.0.1'];
  io.engine.use((req: IncomingMessage, _res: ServerResponse, next: (error?: Error) => void) => {
    const address = req.socket.remoteAddress ?? '';
    next(LOOPBACK.includes(address) ? undefined : new Error(`not from this machine: ${address}`));
  });
  // #endregion example-engine-filter

  // #region example-engine-use
  // A handshake (no sid yet) is recorded once; the polling requests that
  // follow it carry a sid and pass unrecorded.
  io.engine.use((req: EngineRequest, _res: ServerResponse, next: () => void) => {
    if (!req._query.sid) {
      const userAgent = req.headers['user-agent'] ?? 'unknown';
      handshakes.push({ address: req.socket.remoteAddress ?? '', userAgent });
    }
    next();
  });
  // #endregion example-engine-use

  // #region example-io-use
  // A screen proves itself with a key in auth, looked up asynchronously as a
  // database would be. Whatever next() gets, the client gets as connect_error.
  const lookUp = async (key: unknown) => (typeof key === 'string' ? devices.get(key) : undefined);
  io.use((socket, next) => {
    lookUp(socket.handshake.auth.key).then(
      (name) => {
        if (name === undefined) return next(new Error('unknown device'));
        socket.data.key = socket.handshake.auth.key;
        socket.data.name = name;
        next();
      },
      () => next(new Error('device registry unavailable')),
    );
  });
  // #endregion example-io-use

  // #region example-limit
  // One rename per device key every 5 s, however many sockets it opens. The
  // answer is how long to wait: 0 now, or what the limiter says is left.
  const renames = new RateLimiterMemory({ keyPrefix: 'rename', points: 1, duration: 5 });
  const renameWaitMs = (key: string): Promise<number> =>
    renames
      .consume(key)
      .then(() => 0)
      .catch((answer: unknown) => {
        if (!(answer instanceof RateLimiterRes)) return Promise.reject(answer);
        return answer.msBeforeNext;
      });
  // #endregion example-limit

  io.on('connection', (socket) => {
    // #region example-device-room
    // One room per device key: revoking the key finds every screen that used it.
    socket.join(`device:${socket.data.key}`);
    socket.emit('hello', { name: socket.data.name });
    // #endregion example-device-room

    // #region example-checks
    // rename carries one name and an ack; anything else is answered, or dropped.
    socket.on('rename', (...args: unknown[]) => {
      const answer = args.pop();
      if (typeof answer !== 'function') return;
      const [name, ...extra] = args;
      if (extra.length > 0 || typeof name !== 'string' || !/^[\w -]{1,20}$/.test(name)) {
        answer({ error: 'a name is 1 to 20 letters, digits, spaces or dashes' });
        return;
      }
      renameWaitMs(socket.data.key).then(
        (waitMs) => {
          if (waitMs > 0) {
            return answer({ error: `one rename every 5 s: wait ${Math.ceil(waitMs / 1000)} s` });
          }
          devices.set(socket.data.key, name);
          io.emit('renamed', { key: socket.data.key, name });
          answer({ ok: true });
        },
        () => answer({ error: 'try again' }),
      );
    });
    // #endregion example-checks
  });

  // #region example-revoke
  // Revoking a key closes its screens at once, on every server with an
  // adapter: a DISCONNECT each client sees as 'io server disconnect'.
  app.post('/revoke/:key', (req, res) => {
    if (!req.session.admin) {
      res.status(403).json({ error: 'unlock first' });
      return;
    }
    devices.delete(req.params.key);
    io.in(`device:${req.params.key}`).disconnectSockets(true);
    res.status(204).end();
  });
  // #endregion example-revoke

  // #region example-sweep
  // A key can also leave the registry behind the server's back (another
  // process, a database job): every sweepMs, each connected screen is checked.
  async function sweep() {
    for (const screen of await io.fetchSockets()) {
      if (!devices.has(screen.data.key)) screen.disconnect(true);
    }
  }
  httpServer.on('listening', () => {
    const timer = setInterval(() => void sweep().catch(() => {}), sweepMs);
    httpServer.once('close', () => clearInterval(timer));
  });
  // #endregion example-sweep

  return { app, httpServer, io, handshakes };
}
