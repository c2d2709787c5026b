// Two scripted clients against the lesson's server: one takes the default path
// (HTTP long-polling, then the upgrade to WebSocket), one speaks WebSocket only.
import { serverUrl, waitForServer } from '@lessons/course/demo';
import { io, type Socket } from 'socket.io-client';
import type { ServerToClientEvents } from '../src/events.ts';

function watch(label: string, socket: Socket<ServerToClientEvents>) {
  // The transport belongs to the manager's Engine.IO connection, which opens
  // (and may upgrade) before the socket's own 'connect'.
  socket.io.on('open', () => {
    const engine = socket.io.engine;
    console.log(`${label}: open over ${engine.transport.name}`);
    engine.once('upgrade', (transport) => console.log(`${label}: upgraded to ${transport.name}`));
  });
  socket.on('connect', () => console.log(`${label}: connect`));
  socket.on('welcome', ({ id }) => console.log(`${label}: welcome { id: "${id}" }`));
  socket.on('connect_error', (error) => console.log(`${label}: connect_error ${error.message}`));
  socket.on('disconnect', (reason) => console.log(`${label}: disconnect (${reason})`));
}

const url = await waitForServer(serverUrl());
const upgrading: Socket<ServerToClientEvents> = io(url);
const websocketOnly: Socket<ServerToClientEvents> = io(url, { transports: ['websocket'] });
watch('default  ', upgrading);
watch('websocket', websocketOnly);

// Leave after a moment; the server keeps running for your browser.
setTimeout(() => {
  upgrading.close();
  websocketOnly.close();
  console.log(`Done. Open ${url} in your browser to watch the same flow.`);
}, 1500);
