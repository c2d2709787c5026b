// A worked example: a quiz scoreboard. Teams score points, every player sees
// the total of their team. It uses the calls the exercises need, to other ends.
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';

/** A score as the server logged it: `version` counts every score ever made. */
export interface Score {
  version: number;
  team: string;
  points: number;
}

// #region example-recovery
/** The server: a short recovery window, fine for a quiz. */
export function createScoreboard(httpServer: HttpServer) {
  const io = new Server(httpServer, {
    connectionStateRecovery: { maxDisconnectionDuration: 30_000 },
  });
  // skipMiddlewares is left true: this middleware only counts, so
  // skipping it on a recovery lets nobody in who was refused.
  let handshakes = 0;
  io.use((_socket, next) => {
    handshakes++;
    next();
  });
  // #endregion example-recovery

  // #region example-rejoin
  // The server decides the team from the device's token: a client
  // never names its room. The map survives the socket.
  const teamOf = new Map([
    ['device-1', 'red'],
    ['device-2', 'red'],
    ['device-3', 'blue'],
  ]);
  // #endregion example-rejoin

  const log: Score[] = [];
  const counted = new Map<string, Score>();

  io.on('connection', (socket) => {
    const team = teamOf.get(String(socket.handshake.auth.device));
    if (!team) return socket.disconnect(true);
    // #region example-welcome
    // A recovered socket is still in its team room; a new one joins it.
    if (socket.recovered) socket.emit('notice', 'welcome back');
    else socket.join(team);
    // #endregion example-welcome

    // #region example-dedup
    // `score` carries a request id the client made once: a resend of a
    // score already counted answers the same entry, and counts nothing.
    // Keyed by device and id: two devices may well pick the same id.
    const device = String(socket.handshake.auth.device);
    socket.on('score', (request: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return;
      const { requestId, points } = (request ?? {}) as Record<string, unknown>;
      if (typeof requestId !== 'string' || typeof points !== 'number') {
        return ack({ error: 'bad score' });
      }
      const key = JSON.stringify([device, requestId]);
      const earlier = counted.get(key);
      if (earlier) return ack(earlier);
      const entry = { version: log.length + 1, team, points };
      log.push(entry);
      counted.set(key, entry);
      io.to(team).emit('scored', entry);
      ack(entry);
    });
    // #endregion example-dedup

    // #region example-history
    // Catching up on request: the client asks for what came after the
    // last version it saw, and gets it in the acknowledgement.
    socket.on('since', (version: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return;
      if (!Number.isSafeInteger(version)) return ack({ error: 'bad version' });
      ack(log.filter((entry) => entry.version > (version as number) && entry.team === team));
    });
    // #endregion example-history
  });

  return { io, handshakes: () => handshakes };
}

// #region example-client
/** A player's device: each score is resent until answered, at most twice more. */
export function device(url: string, id: string) {
  const socket: Socket = connect(url, {
    auth: { device: id }, // an object: the same at every connection
    retries: 2,
    ackTimeout: 500,
  });
  const score = (points: number) =>
    socket.emitWithAck('score', { requestId: crypto.randomUUID(), points });
  return { socket, score };
}
// #endregion example-client
