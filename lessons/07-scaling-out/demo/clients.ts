// Four people log in and connect one after the other, through the primary,
// which hands each connection to a worker: each says which worker (process id)
// holds it. Then ana says hello once, and every one of them hears it, on
// whichever worker they are; `workers` and `members` ask every worker.
import { serverUrl, waitForServer } from '@lessons/course/demo';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, Welcome } from '../src/events.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const url = await waitForServer(serverUrl());

async function login(username: string): Promise<string> {
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username }),
  });
  if (!response.ok) throw new Error(`POST /login as ${username}: ${response.status}`);
  // A browser keeps the cookie; a script carries it by hand.
  return response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
}

async function connect(username: string): Promise<{ socket: Client; welcome: Welcome }> {
  const socket: Client = io(url, { extraHeaders: { cookie: await login(username) } });
  const welcome = await new Promise<Welcome>((resolve, reject) => {
    socket.once('welcome', resolve);
    socket.once('connect_error', (error) => reject(new Error(`${username}: ${error.message}`)));
  });
  console.log(`${username}: connected, held by worker ${welcome.worker}`);
  return { socket, welcome };
}

const people = [];
try {
  for (const name of ['ana', 'ben', 'cy', 'dee']) people.push(await connect(name));
} catch (error) {
  console.log(`${(error as Error).message}: is the starter finished? (pnpm check 7)`);
  for (const { socket } of people) socket.close();
  process.exit(0); // leave the server running for your browser
}

const heard = people.map(
  ({ socket, welcome }) =>
    new Promise<void>((resolve) => {
      socket.once('said', (said) => {
        console.log(
          `${welcome.username} (worker ${welcome.worker}) heard ${said.from} (worker ${said.worker}): ${said.text}`,
        );
        resolve();
      });
    }),
);
const [ana] = people as [(typeof people)[number]];
await ana.socket.emitWithAck('say', { text: 'hello, every worker' });
await Promise.all(heard);

console.log(`ana: workers → ${JSON.stringify(await ana.socket.emitWithAck('workers'))}`);
for (const { socket } of people.slice(0, 2)) await socket.emitWithAck('join', 'kitchen');
console.log(
  `ana: members("kitchen") → ${JSON.stringify(await ana.socket.emitWithAck('members', 'kitchen'))}`,
);
const spread = new Set(people.map(({ welcome }) => welcome.worker)).size;
console.log(
  `${people.length} clients on ${spread} workers; open ${url} in a few tabs to see yours.`,
);
for (const { socket } of people) socket.close();
