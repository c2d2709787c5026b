import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from './events.ts';

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

/** Build the app, its HTTP server and its Socket.IO server. Opens no port: see server.ts. */
export function createApp() {
  const app = express();
  app.use(express.static(publicDir));
  const httpServer = createServer(app);
  const io: BroadcastServer = new Server(httpServer);

  io.on('connection', (socket) => {
    const { name } = socket.handshake.query;
    socket.data.name = typeof name === 'string' && name !== '' ? name.slice(0, 40) : socket.id;

    // #region untrusted
    // The event maps describe what a well-behaved client sends, but a client can
    // send anything, and a handler that throws takes the whole server down.
    // Every event but bye carries a payload and an acknowledgement: drop the rest.
    socket.use(([event, payload, ack], next) => {
      if (event === 'bye' || (payload != null && typeof ack === 'function')) return next();
      if (typeof ack === 'function') ack({ error: 'malformed message' });
    });
    // #endregion untrusted

    socket.on('join', (room, ack) => {
      const problem = roomProblem(io, room);
      if (problem) return ack({ error: problem });
      socket.join(room);
      ack({ rooms: [...socket.rooms].filter((r) => r !== socket.id).sort() });
    });

    // #region shout
    socket.on('shout', ({ target, room = '', text }, ack) => {
      const news = { from: socket.data.name, target, text };
      const needsRoom = target === 'room' || target === 'room-others' || target === 'except-room';
      if (needsRoom && (typeof room !== 'string' || room === '')) {
        return ack({ error: `"${target}" needs a room` });
      }
      switch (target) {
        case 'self': // this socket only
          socket.emit('news', news);
          break;
        case 'all': // every socket, the sender included
          io.emit('news', news);
          break;
        case 'others': // every socket but the sender
          socket.broadcast.emit('news', news);
          break;
        case 'room': // the members of the room, the sender included if a member
          io.to(room).emit('news', news);
          break;
        case 'room-others': // the members of the room but the sender
          socket.to(room).emit('news', news);
          break;
        case 'except-room': // every socket outside the room, the sender included if outside
          io.except(room).emit('news', news);
          break;
        default:
          return ack({ error: `unknown target "${target}"` });
      }
      ack({ ok: true });
    });
    // #endregion shout

    // #region bye
    // The server ends this client's connection. The client's disconnect
    // reason is "io server disconnect", and it does not reconnect by itself.
    socket.on('bye', () => {
      socket.disconnect();
    });
    // #endregion bye
  });

  return { app, httpServer, io };
}
