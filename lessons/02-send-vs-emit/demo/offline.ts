// A scripted client that goes offline on purpose: what it emits while
// disconnected is buffered and sent on reconnect, a volatile emit in the tick of
// disconnect() is dropped, and the new connection gets a new socket.id.
import { serverUrl, waitForServer } from '@lessons/course/demo';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../src/events.ts';

const url = await waitForServer(serverUrl());
const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url);

// Registered once, outside 'connect', so a reconnect does not register them twice.
socket.on('whoareyou', (answer) => answer('the offline demo'));
socket.on('connect', () => console.log(`connect: socket.id ${socket.id}`));
socket.on('disconnect', (reason) => console.log(`disconnect (${reason})`));
socket.on('message', (data) => console.log(`← message ${JSON.stringify(data)}`));

const connected = () => new Promise((resolve) => socket.once('connect', () => resolve(undefined)));

await connected();
socket.disconnect();

console.log('→ send("written while offline")            buffered by the client');
socket.send('written while offline');
console.log('→ volatile.send("volatile, while offline")  dropped: disconnect() is still writing');
socket.volatile.send('volatile, while offline');
console.log(`  ${socket.sendBuffer.length} packet waiting in socket.sendBuffer`);

socket.connect();
await connected();
// The buffered message went out on connect; wait for its echo, then leave.
await new Promise((resolve) => socket.once('message', resolve));
socket.close();
console.log('Done: one echo, a new socket.id, and the volatile message never sent.');
