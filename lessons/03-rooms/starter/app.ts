import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from './events.ts';

const publicDir = fileURLToPath(new URL('../public', import.meta.url));

type RoomsServer = Server<ClientToServerEvents, ServerToClientEvents, object, SocketData>;
type RoomsSocket = Socket<ClientToServerEvents, ServerToClientEvents, object, SocketData>;

/** Why a client may not use `room`, or undefined when it may. */
// biome-ignore lint/correctness/noUnusedVariables: yours to call from the handlers below
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
// biome-ignore lint/correctness/noUnusedVariables: yours to call from the handlers below
function roomsOf(socket: RoomsSocket): string[] {
  return [...socket.rooms].filter((room) => room !== socket.id).sort();
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
    // send anything, and a handler that throws takes the whole server down.
    // Every event here carries a payload and an acknowledgement: drop the rest.
    socket.use(([, payload, ack], next) => {
      if (payload != null && typeof ack === 'function') return next();
      if (typeof ack === 'function') ack({ error: 'malformed message' });
    });

    // TODO: join or leave the room after checking it with roomProblem(); answer { rooms: roomsOf(socket) }.
    socket.on('join', (_room, ack) => ack({ error: 'not implemented' }));
    socket.on('leave', (_room, ack) => ack({ error: 'not implemented' }));

    // TODO: send 'said' { from: socket.data.name, room, text } to the other members of the room;
    // answer { ok: true }, or { error: 'not in room' } when the sender is not a member.
    socket.on('say', (_message, ack) => ack({ error: 'not implemented' }));

    // TODO: send 'whispered' { from: socket.data.name, text } to every tab of the user named `to`;
    // answer { ok: true }, or { error: 'no such user' } when nobody by that name is connected.
    socket.on('whisper', (_message, ack) => ack({ error: 'not implemented' }));

    // TODO: answer { members } with the names of the sockets in the room, sorted, each once.
    socket.on('members', (_room, ack) => ack({ error: 'not implemented' }));
  });

  return { app, httpServer, io };
}
