// The trap, kept runnable: Socket.IO is attached to one server, app.listen()
// starts another. Run it with `node --import tsx variants/app-listen-trap.ts`
// and open http://localhost:3000/socket.io/?EIO=4&transport=polling: 404.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Server } from 'socket.io';

export function startTrap(port = 0) {
  const app = express();
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  // #region trap
  const httpServer = createServer(app);
  const io = new Server(httpServer); // attached to httpServer, which never listens

  // app.listen() is http.createServer(app).listen(…): a second, new server,
  // with Express on it and no Socket.IO. /socket.io/ answers 404 here.
  const server = app.listen(port);
  // #endregion trap

  return { app, httpServer, io, server };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { server } = startTrap(Number(process.env.PORT ?? 3000));
  server.on('listening', () => {
    const { port } = server.address() as AddressInfo;
    console.log(`Listening on http://localhost:${port} (Socket.IO is not on this server)`);
  });
}
