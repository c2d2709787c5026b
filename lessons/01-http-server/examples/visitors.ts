// A worked example for lesson 1: the same three steps as app.ts, each done another way.
// Run it with `node --import tsx lessons/01-http-server/examples/visitors.ts`.
// #region setup
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Server } from 'socket.io';

/** What this example's server sends: how many clients are connected, to each new one. */
export interface VisitorEvents {
  visitors: (payload: { count: number }) => void;
}

// The lesson's demo page and its files.
const publicDir = fileURLToPath(new URL('../public', import.meta.url));

/** Build the example, like createApp(): it opens no port. */
export function createVisitorsApp() {
  const app = express();
  // #endregion setup

  // #region routes
  // A route that answers JSON, and static files under a mount path:
  // GET /files/index.html serves public/index.html.
  app.get('/time', (_req, res) => {
    res.json({ now: new Date().toISOString() });
  });
  app.use('/files', express.static(publicDir));
  // #endregion routes

  // #region handler
  // The Express app is a function of (req, res): call it from a handler of your own.
  // Socket.IO, attached to the same server, takes /socket.io/ requests before this
  // handler sees them, so `requests` counts only what reaches Express.
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    app(req, res);
  });
  const io = new Server<Record<string, never>, VisitorEvents>(server);
  // #endregion handler

  // #region visitors
  // io.engine.clientsCount counts the open connections, this new one included.
  io.on('connection', (socket) => {
    socket.emit('visitors', { count: io.engine.clientsCount });
  });
  // #endregion visitors

  return { app, httpServer: server, io, requests: () => requests };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { httpServer } = createVisitorsApp();
  httpServer.listen(Number(process.env.PORT ?? 3000), () => {
    const { port } = httpServer.address() as AddressInfo;
    console.log(`Listening on http://localhost:${port}: try /time and /files/index.html`);
  });
}
