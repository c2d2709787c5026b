// #region setup
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from './events.ts';

// The demo page and its files, served at /.
const publicDir = fileURLToPath(new URL('../public', import.meta.url));

/** Build the app, its HTTP server and its Socket.IO server. Opens no port: see server.ts. */
export function createApp() {
  // An Express app is a request handler, (req, res) => void. It is not a server.
  const app = express();
  // #endregion setup

  // #region exercise-routes
  // Routes first, then the static files: GET / finds public/index.html.
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(express.static(publicDir));
  // #endregion exercise-routes

  // #region exercise-one-server
  // One http.Server for both: Socket.IO takes /socket.io/ requests and
  // WebSocket upgrades, and hands every other request on to Express.
  const httpServer = createServer(app);
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer);
  // #endregion exercise-one-server

  // #region exercise-welcome
  // Every connection gets its own socket, and so its own socket.id.
  io.on('connection', (socket) => {
    socket.emit('welcome', { id: socket.id });
  });
  // #endregion exercise-welcome

  return { app, httpServer, io };
}
