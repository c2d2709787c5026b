// A Socket.IO server with no adapter and nothing shared: what one process of
// a naive deployment is. The facts tests start two of them.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const httpServer = createServer();
const io = new Server(httpServer);
io.on('connection', (socket) => {
  socket.emit('hello', process.pid);
  socket.on('shout', (text: string) => io.emit('shouted', text));
  socket.on('count', async (ack: (count: number) => void) => {
    if (typeof ack === 'function') ack((await io.fetchSockets()).length);
  });
});
const port = Number(process.env.PORT);
httpServer.listen(port, () => console.log(`Listening on http://localhost:${port}`));
