import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from './events.ts';

const publicDir = fileURLToPath(new URL('../public', import.meta.url));

type RoomsServer = Server<ClientToServerEvents, ServerToClientEvents, object, SocketData>;
type RoomsSocket = Socket<ClientToServerEvents, ServerToClientEvents, object, SocketData>;

// #region rules
/** Why a client may not use `room`, or undefined when it may. */
function roomProblem(io: RoomsServer, room: unknown): string | undefined {
  if (typeof room !== 'string' || room.length < 1 || room.length > 40) {
    return 'room names are 1 to 40 characters';
  }
  // The server puts each person in user:<name>; a client that joined
  // someone else's would read their whispers.
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

/** Build the app, its HTTP server and its Socket.IO server. Opens no port: see server.ts. */
export function createApp() {
  const app = express();
  app.use(express.static(publicDir));
  const httpServer = createServer(app);
  const io: RoomsServer = new Server(httpServer);

  // #region handshake
  // io('/?name=ana&room=lobby') and io(url, { query: { name, room } }) both
  // arrive in socket.handshake.query. A middleware refuses a connection by
  // passing an Error to next(): the client gets connect_error with its message.
  io.use((socket, next) => {
    const { name, room = 'lobby' } = socket.handshake.query;
    if (typeof name !== 'string' || name === '') return next(new Error('name required'));
    if (name.length > 40) return next(new Error('names are at most 40 characters'));
    const problem = roomProblem(io, room);
    if (problem) return next(new Error(problem));
    socket.data.name = name;
    next();
  });
  // #endregion handshake

  io.on('connection', (socket) => {
    const { name } = socket.data;

    // #region connection
    // The middleware has checked the query; what reaches here is valid.
    const { room = 'lobby' } = socket.handshake.query as { room?: string };
    // A room of one's own: user:<name> holds every tab this person has open.
    socket.join([room, `user:${name}`]);
    // #endregion connection

    // #region untrusted
    // The event maps describe what a well-behaved client sends, but a client can
    // send anything, and a handler that throws takes the whole server down.
    // Every event here carries a payload and an acknowledgement: drop the rest.
    socket.use(([, payload, ack], next) => {
      if (payload != null && typeof ack === 'function') return next();
      if (typeof ack === 'function') ack({ error: 'malformed message' });
    });
    // #endregion untrusted

    // #region join-leave
    socket.on('join', (room, ack) => {
      const problem = roomProblem(io, room);
      if (problem) return ack({ error: problem });
      socket.join(room);
      ack({ rooms: roomsOf(socket) });
    });

    socket.on('leave', (room, ack) => {
      const problem = roomProblem(io, room);
      if (problem) return ack({ error: problem });
      socket.leave(room);
      ack({ rooms: roomsOf(socket) });
    });
    // #endregion join-leave

    // #region say
    socket.on('say', ({ room, text }, ack) => {
      if (!socket.rooms.has(room)) return ack({ error: 'not in room' });
      // socket.to(room): every member of the room except this socket.
      socket.to(room).emit('said', { from: name, room, text });
      ack({ ok: true });
    });
    // #endregion say

    // #region whisper
    socket.on('whisper', async ({ to, text }, ack) => {
      const room = `user:${to}`;
      if ((await io.in(room).fetchSockets()).length === 0) return ack({ error: 'no such user' });
      // One emit reaches every tab of that person: each one joined user:<to>.
      io.to(room).emit('whispered', { from: name, text });
      ack({ ok: true });
    });
    // #endregion whisper

    // #region members
    socket.on('members', async (room, ack) => {
      const sockets = await io.in(room).fetchSockets();
      // One person with two tabs is two sockets, but one member.
      const names = new Set(sockets.map((member) => member.data.name));
      ack({ members: [...names].sort() });
    });
    // #endregion members
  });

  return { app, httpServer, io };
}
