// Shared by this lesson's tests: log in over real HTTP, carry the cookie into a real client.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { type ConnectOptions, createClient, kitFor } from '@lessons/test-kit';
import { frame as kitFrame } from '@lessons/test-kit/server-process';
import type { Socket } from 'socket.io-client';
import type { TestContext } from 'vitest';
import WebSocket from 'ws';
import { type AppOptions, createApp } from '#target/app.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '#target/events.ts';
import { hashPassword } from '#target/users.ts';

/**
 * How long to wait for an event that must arrive. Generous, because a loaded
 * machine can be slow; it only bounds how long a failing test takes.
 */
export const WAIT_MS = 3000;

export type ChatClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Resolve with the `welcome` payload; reject at once with the server's
 * `connect_error` when it refuses the connection, instead of waiting.
 */
export function welcomed(socket: ChatClient): Promise<{ username: string }> {
  return new Promise((resolve, reject) => {
    const onWelcome = (welcome: { username: string }) => settle(() => resolve(welcome));
    const onRefused = (error: Error) =>
      settle(() => reject(new Error(`Refused with connect_error "${error.message}"`)));
    const timer = setTimeout(
      () => settle(() => reject(new Error(`No welcome within ${WAIT_MS} ms`))),
      WAIT_MS,
    );
    function settle(outcome: () => void) {
      clearTimeout(timer);
      socket.off('welcome', onWelcome);
      socket.off('connect_error', onRefused);
      outcome();
    }
    socket.once('welcome', onWelcome);
    socket.once('connect_error', onRefused);
  });
}

/** `sid=s%3A…` from a response's Set-Cookie header, ready for a Cookie header; '' when none. */
export function sessionCookie(response: Response): string {
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith('sid='));
  return line?.split(';')[0] ?? '';
}

/** The session id inside a signed `sid=s%3A<id>.<signature>` cookie. */
export function sessionIdOf(cookie: string): string {
  return decodeURIComponent(cookie.slice('sid='.length)).slice(2).split('.')[0] ?? '';
}

export function postLogin(
  target: { url: string },
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${target.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Log in and resolve with the session cookie. */
export async function login(
  target: { url: string },
  username: 'alice' | 'bob' = 'alice',
  headers: Record<string, string> = {},
): Promise<string> {
  const password = username === 'alice' ? 'wonderland' : 'builder';
  const response = await postLogin(target, { username, password }, headers);
  if (response.status !== 200) {
    throw new Error(
      `POST /login as ${username} answered ${response.status} ${await response.text()}, not 200: this test logs in first (exercise login)`,
    );
  }
  return sessionCookie(response);
}

export function logout(target: { url: string }, cookie: string): Promise<Response> {
  return fetch(`${target.url}/logout`, { method: 'POST', headers: { cookie } });
}

/** A client that sends `cookie` (and any other headers) on polling requests and the WebSocket handshake. */
export function clientWith(
  target: { url: string },
  headers: Record<string, string>,
  options: ConnectOptions = {},
): ChatClient {
  return createClient<ServerToClientEvents, ClientToServerEvents>(target, {
    extraHeaders: headers,
    ...options,
  });
}

/**
 * The demo accounts, hashed at scrypt's N = 2^10 instead of 2^14: the hash
 * carries its cost, so logging in takes the same path, 16 times faster. The
 * suite logs in about a hundred times; the slow suite and the browser test use
 * the real hashes.
 */
export const FAST_USERS: ReadonlyMap<string, string> = new Map(
  await Promise.all(
    [
      ['alice', 'wonderland'],
      ['bob', 'builder'],
    ].map(
      async ([name = '', password = '']) =>
        [name, await hashPassword(password, { N: 2 ** 10, r: 8, p: 1 })] as const,
    ),
  ),
);

/**
 * What one test of a `describe.concurrent` block starts, on a kit of its own
 * (`kitFor()`, closed when the test finishes): the lesson's app, and clients
 * that carry headers. The concurrent tests then wait for their timers side by side.
 */
export function ownedBy(context: Pick<TestContext, 'onTestFinished'>) {
  const kit = kitFor(context);
  return {
    start: (options?: AppOptions) => kit.startLesson(createApp, { users: FAST_USERS, ...options }),
    client: (target: { url: string }, headers: Record<string, string>, options?: ConnectOptions) =>
      kit.createClient<ServerToClientEvents, ClientToServerEvents>(target, {
        extraHeaders: headers,
        ...options,
      }),
  };
}

/** POST /login from a chosen loopback address (127.0.0.2, …), as another machine would. */
export function postLoginFrom(
  target: { url: string },
  body: unknown,
  localAddress: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${target.url}/login`,
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json' },
        agent: false,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

/** Engine.IO's polling URL: the handshake's, or that of the connection `sid`. */
export function pollingUrl(target: { url: string }, sid?: string, extra = ''): string {
  return `${target.url}/socket.io/?EIO=4&transport=polling${sid ? `&sid=${sid}` : ''}${extra}`;
}

/** Open an Engine.IO connection over long-polling by hand and resolve with its sid. */
export async function pollingHandshake(
  target: { url: string },
  headers: Record<string, string>,
): Promise<string> {
  const response = await fetch(pollingUrl(target), { headers });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`Handshake answered ${response.status}: ${text}`);
  return (JSON.parse(text.slice(1)) as { sid: string }).sid;
}

/**
 * An Engine.IO connection over WebSocket, opened by hand with `headers`
 * (cookie, origin), before any Socket.IO CONNECT; closed when the test finishes.
 */
export async function rawWebSocket(
  target: { port: number },
  headers: Record<string, string>,
  { onTestFinished }: Pick<TestContext, 'onTestFinished'>,
): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${target.port}/socket.io/?EIO=4&transport=websocket`, {
    headers,
  });
  ws.on('error', () => {}); // a refused connection rejects frame() through 'close'
  onTestFinished(() => ws.terminate());
  await frame(ws, '0{'); // Engine.IO open
  return ws;
}

/** The next frame that starts with `prefix`, within lesson 5's longer wait (see the test kit's `frame`). */
export const frame = (ws: WebSocket, prefix: string, timeoutMs = WAIT_MS) =>
  kitFrame(ws, prefix, timeoutMs);

/** Resolve once the server has closed `ws`; reject if it is still open after `timeoutMs`. */
export function closedByServer(ws: WebSocket, timeoutMs = WAIT_MS): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.off('close', onClose);
      reject(new Error(`The server did not close the connection within ${timeoutMs} ms`));
    }, timeoutMs);
    const onClose = () => {
      clearTimeout(timer);
      resolve();
    };
    ws.once('close', onClose);
  });
}
