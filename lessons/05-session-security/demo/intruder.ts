// Mallory tries the doors: no cookie, a forged cookie, and a stolen cookie
// sent from another origin. Every attempt is refused.
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
// Without an Origin header (a script, not a browser page), the session alone decides.
await attempt('the same cookie without Origin', { extraHeaders: { cookie } });
