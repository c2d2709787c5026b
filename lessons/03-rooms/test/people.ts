import { type ConnectOptions, connect, DEFAULT_TIMEOUT_MS } from '@lessons/test-kit';
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '#target/events.ts';

export type Person = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Connect as `name` over WebSocket, in `room` when given (the server's default otherwise).
 *
 * @example
 * const ana = await person(lesson, 'ana', 'kitchen');
 */
export function person(
  lesson: { url: string },
  name: string,
  room?: string,
  options: ConnectOptions = {},
): Promise<Person> {
  const query = room === undefined ? { name } : { name, room };
  // WebSocket unless asked: rooms do not depend on the transport, and skipping
  // the upgrade from long-polling makes each test quicker.
  return connect<ServerToClientEvents, ClientToServerEvents>(lesson, {
    transport: 'websocket',
    ...options,
    query,
  });
}

/** Emit and resolve with the acknowledgement; fail fast when none comes. */
export const ask = (socket: Person) => socket.timeout(DEFAULT_TIMEOUT_MS);
