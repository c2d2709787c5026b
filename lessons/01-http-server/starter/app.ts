import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from './events.ts';

const publicDir = fileURLToPath(new URL('../public', import.meta.url));

/** Build the app, its HTTP server and its Socket.IO server. Opens no port: see server.ts. */
export function createApp() {
  const app = express();
  // TODO: answer GET /health with the JSON { ok: true }.
  app.use(express.static(publicDir));

  // TODO: make the HTTP server from the Express app, and attach Socket.IO to that same server.
  // These stand-ins are not wired to anything: replace both.
  const httpServer = createServer((_req, res) => {
    res.writeHead(501).end('Not implemented yet: see the TODOs in app.ts');
  });
  const io = new Server<ClientToServerEvents, ServerToClientEvents>();

  io.on('connection', (socket) => {
    // TODO: greet the new socket with a `welcome` event carrying { id: socket.id }.
    void socket;
  });

  return { app, httpServer, io };
}
