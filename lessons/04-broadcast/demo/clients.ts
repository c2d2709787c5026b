// A scripted scene: ana in red, ben in red and blue, cat in blue, dan in no
// room. Ana shouts with each target in turn; each step prints who received it.
import { setTimeout as pause } from 'node:timers/promises';
import { serverUrl, waitForServer } from '@lessons/course/demo';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, Shout } from '../src/events.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const url = await waitForServer(serverUrl());
const scene = { ana: ['red'], ben: ['red', 'blue'], cat: ['blue'], dan: [] };
const received: string[] = [];

const clients = await Promise.all(
  Object.entries(scene).map(async ([name, rooms]) => {
    const client: Client = io(url, { forceNew: true, query: { name } });
    client.on('news', () => received.push(name));
    client.on('disconnect', (reason) => console.log(`${name}: disconnected (${reason})`));
    await new Promise((resolve) => client.once('connect', () => resolve(undefined)));
    for (const room of rooms) await client.emitWithAck('join', room);
    console.log(`${name.padEnd(3)} is in ${rooms.join(' and ') || 'no room'}`);
    return client;
  }),
);
const [ana] = clients as [Client, ...Client[]];

const steps: [string, Omit<Shout, 'text'>][] = [
  ["socket.emit('news')", { target: 'self' }],
  ["io.emit('news')", { target: 'all' }],
  ["socket.broadcast.emit('news')", { target: 'others' }],
  ["io.to('red').emit('news')", { target: 'room', room: 'red' }],
  ["io.to('blue').emit('news')", { target: 'room', room: 'blue' }],
  ["socket.to('red').emit('news')", { target: 'room-others', room: 'red' }],
  ["socket.to('blue').emit('news')", { target: 'room-others', room: 'blue' }],
  ["io.except('red').emit('news')", { target: 'except-room', room: 'red' }],
];
console.log('\nana shouts; who receives it?');
for (const [call, shout] of steps) {
  received.length = 0;
  await ana.emitWithAck('shout', { ...shout, text: 'hello' });
  await pause(200); // time for the news to arrive before the summary line
  console.log(`  ${call.padEnd(32)} → ${[...received].sort().join(', ') || 'nobody'}`);
}

console.log('\nana says bye; the server disconnects her, and her client does not reconnect:');
ana.emit('bye');
// Longer than the client's first retry would wait (reconnectionDelay, 1 s by default).
await pause(1500);
console.log(`  ana connected: ${ana.connected}, will reconnect by itself: ${ana.active}`);

for (const client of clients) client.close();
console.log(
  `\nDone. Open ${url}/?name=ana&rooms=red and ${url}/?name=ben&rooms=red,blue to try it yourself.`,
);
