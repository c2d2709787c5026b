// Shared by this lesson's tests: log in over real HTTP, carry the cookie into a real client.
import { type ConnectOptions, createClient, kitFor } from '@lessons/test-kit';
import type { Socket } from 'socket.io-client';
import type { TestContext } from 'vitest';
import { type AppOptions, createApp } from '#target/app.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '#target/events.ts';

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
  if (response.status !== 200) throw new Error(`Login failed with ${response.status}`);
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
 * What one test of a `describe.concurrent` block starts, on a kit of its own
 * (`kitFor()`, closed when the test finishes): the lesson's app, and clients
 * that carry headers. The concurrent tests then wait for their timers side by side.
 */
export function ownedBy(context: Pick<TestContext, 'onTestFinished'>) {
  const kit = kitFor(context);
  return {
    start: (options?: AppOptions) => kit.startLesson(createApp, options),
    client: (target: { url: string }, headers: Record<string, string>, options?: ConnectOptions) =>
      kit.createClient<ServerToClientEvents, ClientToServerEvents>(target, {
        extraHeaders: headers,
        ...options,
      }),
  };
}
