// A scripted client: send, emit with mixed arguments, and a sum with an
// acknowledgement; it also answers the server's whoareyou. Prints what goes
// out (→) and what comes back (←), then leaves.
import { serverUrl, waitForServer } from '@lessons/course/demo';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../src/events.ts';

const url = await waitForServer(serverUrl());
const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url);

// Listeners once, at the top level: the server may ask whoareyou the moment we connect.
socket.on('whoareyou', (answer) => {
  console.log('← whoareyou (with a callback): answering "the emit demo"');
  answer('the emit demo');
});
socket.on('message', (data) => console.log(`← message ${JSON.stringify(data)}`));
socket.on('greetings', (...args) => {
  console.log(`← greetings with ${args.length} argument${args.length === 1 ? '' : 's'}:`);
  for (const arg of args) {
    const type = Buffer.isBuffer(arg) ? 'Buffer' : arg === null ? 'null' : typeof arg;
    console.log(
      `    ${type.padEnd(7)} ${Buffer.isBuffer(arg) ? `[${[...arg].join(', ')}]` : JSON.stringify(arg)}`,
    );
  }
});

await new Promise((resolve) => socket.once('connect', () => resolve(undefined)));
console.log(`connected as ${socket.id}`);

console.log('→ send("Hello!")');
socket.send('Hello!');

console.log(
  '→ emit("eventName", "Hello!", { mr: "john" }, Uint8Array.from([1, 2, 3, 4]), undefined, new Date(0))',
);
socket.emit(
  'eventName',
  'Hello!',
  { mr: 'john' },
  Uint8Array.from([1, 2, 3, 4]),
  undefined,
  new Date(0),
);

for (const numbers of [
  [1, 2, 3.5],
  [1, 'two'],
]) {
  console.log(`→ emitWithAck("sum", ${JSON.stringify(numbers)})`);
  const result = await socket.timeout(2000).emitWithAck('sum', numbers as number[]);
  console.log(`← ack ${JSON.stringify(result)}`);
}

socket.close();
console.log('Done. Open the page in your browser to try the same events.');
