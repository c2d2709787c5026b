import {
  type ConnectOptions,
  connect,
  DEFAULT_TIMEOUT_MS,
  nextEvent,
  type StartedLesson,
} from '@lessons/test-kit';
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

/**
 * Everything each person receives as `event` while `action` runs. Socket.IO
 * delivers one connection's packets in order, so once a `fence` sent after the
 * action has reached everyone, so has everything sent before it: an empty list
 * proves that nothing came, with no waiting on a timer.
 *
 * @example
 * const heard = await hear(lesson, { ana, ben }, 'said', () => ask(ana).emitWithAck('say', …));
 * expect(heard).toEqual({ ana: [], ben: [{ from: 'ana', room: 'lobby', text: 'hi' }] });
 */
export async function hear<Name extends string>(
  lesson: StartedLesson,
  people: Record<Name, Person>,
  event: keyof ServerToClientEvents,
  action: () => unknown,
): Promise<Record<Name, unknown[]>> {
  const entries = Object.entries(people) as [Name, Person][];
  const heard = Object.fromEntries(entries.map(([name]) => [name, [] as unknown[]]));
  for (const [name, socket] of entries) {
    socket.on(event, (message: unknown) => heard[name]?.push(message));
  }
  await action();
  const fences = entries.map(([, socket]) => nextEvent(socket, 'fence'));
  lesson.io.to(entries.map(([, socket]) => socket.id as string)).emit('fence');
  await Promise.all(fences);
  return heard as Record<Name, unknown[]>;
}
