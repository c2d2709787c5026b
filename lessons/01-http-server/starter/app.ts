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
  // TODO(routes): answer GET /health with the JSON { ok: true }, and serve the files
  // of publicDir with express.static, so that GET / returns the demo page.
  // Until then Express answers 404 to every request: no route matches.
  void publicDir;
  // #endregion exercise-routes

  // #region exercise-one-server
  // TODO(one-server): make the http.Server from the Express app, and attach Socket.IO
  // to that same server. These stand-ins are wired to nothing: replace both.
  const httpServer = createServer((_req, res) => {
    res.writeHead(501).end('Not implemented yet: TODO(one-server) in app.ts');
  });
  const io = new Server<ClientToServerEvents, ServerToClientEvents>();
  // #endregion exercise-one-server

  // #region exercise-welcome
  // TODO(welcome): greet each new socket with a `welcome` event carrying { id: socket.id }.
  // #endregion exercise-welcome

  return { app, httpServer, io };
}
