// Also correct: app.listen() returns the http.Server it created, and Socket.IO
// can attach to that one. What matters is one server, shared by both.
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Server } from 'socket.io';

export function startListenThenAttach(port = 0) {
  const app = express();
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  // #region listen-then-attach
  const server = app.listen(port);
  const io = new Server(server); // the same server that is listening
  // #endregion listen-then-attach

  return { app, server, io };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { server } = startListenThenAttach(Number(process.env.PORT ?? 3000));
  server.on('listening', () => {
    const { port } = server.address() as AddressInfo;
    console.log(`Listening on http://localhost:${port}`);
  });
}
