import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from './events.ts';

const publicDir = fileURLToPath(new URL('../public', import.meta.url));

/** Build the app, its HTTP server and its Socket.IO server. Opens no port: see server.ts. */
export function createApp() {
  // #region express
  // An Express app is a request handler, (req, res) => void. It is not a server.
  const app = express();
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(express.static(publicDir));
  // #endregion express

  // #region server
  // One http.Server for both: Socket.IO takes /socket.io/ requests and
  // WebSocket upgrades, and hands every other request on to Express.
  const httpServer = createServer(app);
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer);
  // #endregion server

  // #region welcome
  io.on('connection', (socket) => {
    socket.emit('welcome', { id: socket.id });
  });
  // #endregion welcome

  return { app, httpServer, io };
}
