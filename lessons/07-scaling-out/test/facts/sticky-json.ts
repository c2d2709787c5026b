// @socket.io/sticky with Node's default IPC serialization (JSON): a primary
// that forgot cluster.setupPrimary({ serialization: 'advanced' }). One worker.
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { setupMaster, setupWorker } from '@socket.io/sticky';
import { Server } from 'socket.io';

if (cluster.isPrimary) {
  const httpServer = createServer();
  setupMaster(httpServer, { loadBalancingMethod: 'least-connection' });
  const worker = cluster.fork();
  worker.on('exit', (code, signal) => console.error(`worker exited (${signal ?? code})`));
  worker.on('message', (message) => {
    if (message !== 'ready') return;
    const port = Number(process.env.PORT);
    httpServer.listen(port, () => console.log(`Listening on http://localhost:${port}`));
  });
  process.once('SIGTERM', () => {
    worker.process.kill('SIGTERM');
    worker.once('exit', () => process.exit(0));
  });
} else {
  const io = new Server(createServer());
  setupWorker(io);
  io.on('connection', (socket) => socket.emit('hello', process.pid));
  process.send?.('ready');
}
