// A scripted scene: ana with two tabs, ben and cat, in two rooms. Each line
// says who received what, so you can check it against the lesson's rules.
import { setTimeout as pause } from 'node:timers/promises';
import { serverUrl, waitForServer } from '@lessons/course/demo';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../src/events.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

function watch(label: string, socket: Client): Client {
  socket.on('connect', () => console.log(`${label}: connected`));
  socket.on('connect_error', (error) => console.log(`${label}: connect_error "${error.message}"`));
  socket.on('said', ({ from, room, text }) =>
    console.log(`${label}: received said from ${from} in ${room}: "${text}"`),
  );
  socket.on('whispered', ({ from, text }) =>
    console.log(`${label}: received whispered from ${from}: "${text}"`),
  );
  return socket;
}

async function step(title: string, action: () => Promise<unknown>) {
  console.log(`\n-- ${title}`);
  console.log(`   answer: ${JSON.stringify(await action())}`);
  await pause(300); // give the deliveries time to print before the next step
}

const url = await waitForServer(serverUrl());
const connected = (socket: Client) =>
  new Promise<Client>((resolve) => socket.once('connect', () => resolve(socket)));

// The two ways to send the handshake query: in the URL, or in the query option.
const ana1 = watch('ana (tab 1)', io(`${url}/?name=ana&room=lobby`, { forceNew: true }));
const ana2 = watch(
  'ana (tab 2)',
  io(url, { forceNew: true, query: { name: 'ana', room: 'kitchen' } }),
);
const ben = watch('ben        ', io(url, { forceNew: true, query: { name: 'ben' } }));
const cat = watch(
  'cat        ',
  io(url, { forceNew: true, query: { name: 'cat', room: 'kitchen' } }),
);
const nobody = watch('(no name)  ', io(url, { forceNew: true, reconnection: false }));
await Promise.all([ana1, ana2, ben, cat].map(connected));
await pause(100);

await step('ana (tab 1) says in lobby: ben hears it, ana and the kitchen do not', () =>
  ana1.emitWithAck('say', { room: 'lobby', text: 'hello, lobby' }),
);
await step('cat says in kitchen: ana hears it in tab 2 only, where she is in kitchen', () =>
  cat.emitWithAck('say', { room: 'kitchen', text: 'the kettle is on' }),
);
await step('ben joins kitchen', () => ben.emitWithAck('join', 'kitchen'));
await step('ana (tab 1) joins kitchen too: both her tabs are in it now', () =>
  ana1.emitWithAck('join', 'kitchen'),
);
await step('ben asks who is in kitchen: ana once for her two tabs, then ben and cat', () =>
  ben.emitWithAck('members', 'kitchen'),
);
await step('ben whispers to ana: both her tabs receive it', () =>
  ben.emitWithAck('whisper', { to: 'ana', text: 'coming up?' }),
);
await step('ben whispers to zoe, who is not here', () =>
  ben.emitWithAck('whisper', { to: 'zoe', text: 'hello?' }),
);
await step('cat tries to join ben’s own room', () => cat.emitWithAck('join', 'user:ben'));
await step('ben says in the attic without joining it', () =>
  ben.emitWithAck('say', { room: 'attic', text: 'anyone?' }),
);

for (const socket of [ana1, ana2, ben, cat, nobody]) socket.close();
console.log(`\nDone. Open ${url}/?name=ana and ${url}/?name=ben in two tabs to try it yourself.`);
