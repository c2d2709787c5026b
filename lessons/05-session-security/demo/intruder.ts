// Mallory tries the doors: no cookie, a forged cookie, a stolen cookie sent
// from another origin, then what a page on another port of this host would
// send with it: JSONP, and a GET without Origin. Every attempt is refused; the
// last one, a script with the cookie and no browser's headers, connects.
import { serverUrl, waitForServer } from '@lessons/course/demo';
import { io } from 'socket.io-client';

const url = await waitForServer(serverUrl());

function attempt(label: string, options: Parameters<typeof io>[1]): Promise<void> {
  const socket = io(url, { reconnection: false, ...options });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      console.log(`${label}: connected`);
      socket.close();
      resolve();
    });
    socket.once('connect_error', (error) => {
      console.log(`${label}: refused, connect_error "${error.message}"`);
      socket.close();
      resolve();
    });
  });
}

await attempt('no cookie', {});
await attempt('forged cookie', { extraHeaders: { cookie: 'sid=s%3Aadmin.forged' } });

// A real cookie, replayed as if by a page on another site (Cross-Site WebSocket Hijacking).
const response = await fetch(`${url}/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'bob', password: 'builder' }),
});
const cookie = response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
await attempt('valid cookie from https://evil.example over WebSocket', {
  transports: ['websocket'],
  extraHeaders: { cookie, origin: 'https://evil.example' },
});
await attempt('valid cookie from https://evil.example over polling', {
  transports: ['polling'],
  extraHeaders: { cookie, origin: 'https://evil.example' },
});
// What a <script> tag on another port of this host loads: JSONP, which would hand it the sid.
const base = `${url}/socket.io/?EIO=4&transport=polling`;
const jsonp = await fetch(`${base}&j=0`, { headers: { cookie } });
console.log(`JSONP handshake with a valid cookie: ${jsonp.status} ${await jsonp.text()}`);
// A no-cors GET from that page carries no Origin, but fetch metadata that says where it came from.
const sameSite = await fetch(base, { headers: { cookie, 'sec-fetch-site': 'same-site' } });
console.log(`handshake from a same-site page: ${sameSite.status} ${await sameSite.text()}`);
// Without Origin and fetch metadata (a script, not a browser page), the session alone decides.
await attempt('the same cookie without Origin', { extraHeaders: { cookie } });
