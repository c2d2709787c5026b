// Alice and Bob log in over HTTP, carry their session cookies into Socket.IO,
// chat, and then Bob logs out: the server closes his socket.
import { serverUrl, waitForServer } from '@lessons/course/demo';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../src/events.ts';

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const url = await waitForServer(serverUrl());

async function login(username: string, password: string): Promise<string> {
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  console.log(
    `${username}: POST /login → ${response.status} ${JSON.stringify(await response.json())}`,
  );
  // A browser keeps the cookie for us; a script carries it by hand.
  return response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
}

/** Resolve with the welcomed socket, or undefined when the server refuses it. */
function connect(username: string, cookie: string): Promise<ChatSocket | undefined> {
  const socket: ChatSocket = io(url, { extraHeaders: { cookie }, reconnection: false });
  socket.on('chat', ({ from, text }) => console.log(`${username}: chat from ${from}: ${text}`));
  socket.on('disconnect', (reason) => console.log(`${username}: disconnect (${reason})`));
  return new Promise((resolve) => {
    socket.once('welcome', (welcome) => {
      console.log(`${username}: welcome ${JSON.stringify(welcome)}`);
      resolve(socket);
    });
    socket.once('connect_error', (error) => {
      console.log(`${username}: connect_error "${error.message}"`);
      socket.close();
      resolve(undefined);
    });
  });
}

const aliceCookie = await login('alice', 'wonderland');
const bobCookie = await login('bob', 'builder');
const alice = await connect('alice', aliceCookie);
const bob = await connect('bob', bobCookie);
if (!alice || !bob) {
  alice?.close();
  bob?.close();
  console.log('The server refused a logged-in user: complete the TODOs in app.ts.');
  process.exit(0); // leave the server running for your browser
}

console.log(`alice: chat ack ${JSON.stringify(await alice.emitWithAck('chat', 'Hello, Bob!'))}`);
console.log(`bob: chat ack ${JSON.stringify(await bob.emitWithAck('chat', 'Hi, Alice.'))}`);
console.log(`bob: chat ack ${JSON.stringify(await bob.emitWithAck('chat', ''))}`);

const bobGone = new Promise((resolve) => bob.once('disconnect', resolve));
const logout = await fetch(`${url}/logout`, { method: 'POST', headers: { cookie: bobCookie } });
console.log(`bob: POST /logout → ${logout.status}`);
await bobGone;

alice.close();
console.log(`Done. Open ${url} in your browser to log in yourself.`);
